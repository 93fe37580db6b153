"""Labels of the task forms' fields and choices, Dutch and English."""

FIELDS: dict[str, tuple[str, str]] = {
    # assess
    "image_kinds": ("Wat voor beelden zijn het?", "What kind of images are they?"),
    "depicted_is_our_pupil": (
        "De afgebeelde persoon is een leerling van onze school",
        "The person depicted is a pupil of our school",
    ),
    "depicted_age": ("Leeftijd van de afgebeelde persoon", "Age of the person depicted"),
    "spreader_is_our_pupil": (
        "De verspreider is een leerling van onze school",
        "The spreader is a pupil of our school",
    ),
    "possible_csam": (
        "Mogelijk afbeeldingen van seksueel kindermisbruik",
        "Possibly images of child sexual abuse",
    ),
    "has_url": (
        "De beelden staan op een website (er is een URL)",
        "The images are on a website (a URL)",
    ),
    "media_risk": ("Er is kans op media-aandacht", "Media attention is likely"),
    "other_school_ids": (
        "Andere scholen van ons bestuur met leerlingen in de appgroepen",
        "Other schools of our board with pupils in the app groups",
    ),
    "outside_school_involved": (
        "Er zitten leerlingen van een school buiten ons bestuur in",
        "Pupils of a school outside our board are involved",
    ),
    "immediate_referral": (
        "Gronden om direct door te verwijzen",
        "Grounds for an immediate referral",
    ),
    "channels": ("Kanalen en appgroepen", "Channels and app groups"),
    "kind": ("Soort", "Kind"),
    "description": (
        "Omschrijving (bijv. naam van de groep)",
        "Description (e.g. the group's name)",
    ),
    "persons": ("Betrokkenen", "People involved"),
    "role": ("Rol", "Role"),
    "name": ("Naam", "Name"),
    "is_our_pupil": ("Leerling van onze school", "Pupil of our school"),
    "notes": ("Aantekeningen (blijven in Regie)", "Notes (stay in Regie)"),
    # support
    "victim_at_our_school": ("Het slachtoffer zit op onze school", "The victim is at our school"),
    "said_not_your_fault": (
        "Ik heb direct gezegd: 'Het is niet jouw schuld'",
        "I said at once: 'It is not your fault'",
    ),
    "no_indirect_blame": (
        "Ik heb ook niet indirect de schuld gegeven",
        "I did not blame them indirectly either",
    ),
    "asked_what_victim_needs": (
        "Ik heb gevraagd wat het slachtoffer nodig heeft",
        "I asked what the victim needs",
    ),
    "help": ("Geregelde hulp", "Help arranged"),
    "message_carried_at_school": (
        "Op school uitgedragen: het is nooit de schuld van het slachtoffer",
        "Made clear at school: it is never the victim's fault",
    ),
    "victim_consulted_on_informing": (
        "Het slachtoffer is gevraagd wie geïnformeerd mag worden",
        "The victim was asked who may be informed",
    ),
    "victim_agrees_to_inform": (
        "Het slachtoffer vindt het goed dat deze mensen worden geïnformeerd",
        "The victim agrees that these people are informed",
    ),
    "victim_needs": ("Wat heeft het slachtoffer nodig?", "What does the victim need?"),
    # report
    "filed": ("Meldingen", "Reports"),
    "route": ("Gemeld bij", "Reported to"),
    "reference": ("Kenmerk van de melding", "The report's reference"),
    # remove
    "groups": ("Appgroepen", "App groups"),
    "group": ("Naam van de groep", "The group's name"),
    "method": ("Hoe verwijderd", "How removed"),
    "removed": ("Verwijderd", "Removed"),
    "done_class_wide": ("Klassikaal gedaan", "Done class-wide"),
    "pupils_told_it_is_a_crime": (
        "Leerlingen verteld dat bezit, doorsturen en screenshots strafbaar zijn",
        "Pupils told that possessing, forwarding and screenshots are crimes",
    ),
    # confront
    "conversations": ("Gesprekken", "Conversations"),
    "person_label": ("Met wie (bijv. Leerling B)", "With whom (e.g. Leerling B)"),
    "held": ("Gesprek gevoerd", "Conversation held"),
    "with_parents": ("Met ouders", "With parents"),
    "sanction": ("Sanctie", "Sanction"),
    "neighbourhood_officer": ("Wijkagent betrokken", "Neighbourhood officer involved"),
    # inform
    "letters": ("Brieven", "Letters"),
    "audience": ("Aan", "To"),
    "text": ("Tekst van de brief (zonder namen)", "The letter's text (no names)"),
    "culture_and_religion_considered": (
        "Rekening gehouden met cultuur en religie",
        "Culture and religion were considered",
    ),
    "sensitivity_notes": ("Waar let je op?", "What do you take care of?"),
    # media
    "spokesperson_id": ("Woordvoerder", "Spokesperson"),
    "statement": ("Verklaring (zonder namen)", "Statement (no names)"),
    "not_said": ("Wat zeggen we niet?", "What will we not say?"),
    # evaluate
    "went_well": ("Wat ging goed?", "What went well?"),
    "can_be_better": ("Wat kan beter?", "What can be better?"),
    "policy_change_needed": ("Het beleid moet worden aangepast", "The policy must change"),
    "policy_change": ("Welke aanpassing?", "Which change?"),
    # contact outside school
    "contacted": ("Contact opgenomen", "Contacted"),
    "school_name": ("Welke school", "Which school"),
    # yearly policy review
    "in_place": ("Wat is op orde?", "What is in place?"),
    "improvements": ("Wat ga je verbeteren?", "What will you improve?"),
    "policy_changed": ("Het beleid is aangepast", "The policy was changed"),
    "change": ("Wat is er veranderd?", "What changed?"),
    "new_version_date": ("Datum van de nieuwe versie", "Date of the new version"),
}

CHOICES: dict[str, tuple[str, str]] = {
    "nude_or_sexual": ("naakt of seksueel", "nude or sexual"),
    "violent": ("gewelddadig", "violent"),
    "shocking": ("schokkend", "shocking"),
    "other": ("anders", "other"),
    "under_13": ("jonger dan 13", "under 13"),
    "13_15": ("13 tot 15", "13 to 15"),
    "16_17": ("16 of 17", "16 or 17"),
    "adult": ("volwassen", "adult"),
    "unknown": ("onbekend", "unknown"),
    "app_group": ("appgroep", "app group"),
    "one_to_one": ("1-op-1-chat", "one-to-one chat"),
    "social_media": ("sociale media", "social media"),
    "website": ("website", "website"),
    "adult_involved": ("een volwassene is betrokken", "an adult is involved"),
    "coercion_or_blackmail": ("dwang of chantage (sextortion)", "coercion or blackmail"),
    "capacity_to_consent": (
        "twijfel of toestemming mogelijk was",
        "doubt about capacity to consent",
    ),
    "violent_or_unusual": (
        "gewelddadige of ongebruikelijke handelingen voor de leeftijd",
        "violent or unusual acts for the age",
    ),
    "risk_of_harm": ("direct gevaar", "immediate risk of harm"),
    "victim": ("slachtoffer", "victim"),
    "maker": ("maker", "maker"),
    "spreader": ("verspreider", "spreader"),
    "recipient": ("ontvanger", "recipient"),
    "bystander": ("omstander", "bystander"),
    "helpwanted": ("Helpwanted", "Helpwanted"),
    "care_team": ("zorgteam", "care team"),
    "declined": ("wil geen hulp", "declined"),
    "parents_of_depicted": ("ouders van de afgebeelde leerling", "parents of the pupil depicted"),
    "parents_of_spreader": ("ouders van de verspreider", "parents of the spreader"),
    "class_parents": ("ouders van de klas", "parents of the class"),
    "school_parents": ("alle ouders van school", "all parents of the school"),
    "meldpunt_kinderporno": ("Meldpunt Kinderporno (met URL)", "Meldpunt Kinderporno (with URL)"),
    "hetstoptbijjou": (
        "hetstoptbijjou.nl (groepsapp zonder URL)",
        "hetstoptbijjou.nl (app group, no URL)",
    ),
    "police": ("politie / wijkagent", "police / neighbourhood officer"),
    "emergency_112": ("112", "112"),
    "veilig_thuis": ("Veilig Thuis", "Veilig Thuis"),
    "sender_for_everyone": ("door de verzender, voor iedereen", "by the sender, for everyone"),
    "group_admin": ("door de beheerder van de groep", "by the group admin"),
    "every_member": ("door elk lid zelf", "by every member"),
    "none": ("geen", "none"),
    "conversation_only": ("alleen een gesprek", "a conversation only"),
    "detention": ("nablijven", "detention"),
    "suspension": ("schorsing", "suspension"),
    "phone": ("telefoon", "phone"),
    "email": ("e-mail", "e-mail"),
    "meeting": ("afspraak", "meeting"),
}


def field_label(name: str, lang: str) -> str:
    nl, en = FIELDS.get(name, (name.replace("_", " "), name.replace("_", " ")))
    return en if lang == "en" else nl


def choice_label(value: str, lang: str) -> str:
    nl, en = CHOICES.get(value, (value.replace("_", " "), value.replace("_", " ")))
    return en if lang == "en" else nl
