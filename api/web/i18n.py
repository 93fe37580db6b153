"""The words on the pages, Dutch first and English second."""

from typing import Literal

Lang = Literal["nl", "en"]

TEXT: dict[str, tuple[str, str]] = {
    "app_tagline": ("Regie bij incidenten met beelden", "Regie for incidents with images"),
    "my_tasks": ("Mijn taken", "My tasks"),
    "new_incident": ("Nieuw incident", "New incident"),
    "board_overview": ("Bestuursoverzicht", "Board overview"),
    "sign_out": ("Uitloggen", "Sign out"),
    "sign_in": ("Inloggen", "Sign in"),
    "sign_in_intro": (
        "Vul je e-mailadres van school in. Je krijgt een link waarmee je één keer inlogt.",
        "Enter your school e-mail address. You will get a link that signs you in once.",
    ),
    "email": ("E-mailadres", "E-mail address"),
    "send_link": ("Stuur mij een inloglink", "Send me a sign-in link"),
    "link_sent": (
        "Als dit adres bij Regie bekend is, staat er nu een inloglink in je mailbox.",
        "If this address is known to Regie, a sign-in link is now in your mailbox.",
    ),
    "too_many_links": (
        "Er zijn vanaf dit netwerk te veel inloglinks aangevraagd. Probeer het over een kwartier"
        " opnieuw, of gebruik de link uit de e-mail over je taak.",
        "Too many sign-in links were asked for from this network. Try again in 15 minutes, or"
        " use the link in the e-mail about your task.",
    ),
    # Single sign-on (OpenID Connect); {provider} is OIDC_DISPLAY_NAME or the fallback below.
    "sso_sign_in_with": ("Inloggen met {provider}", "Sign in with {provider}"),
    "sso_school_account": ("je schoolaccount", "your school account"),
    "sso_provider_fallback": ("de inlogdienst van je school", "your school's sign-in service"),
    "sso_or_email": (
        "Of vraag hieronder een inloglink per e-mail aan.",
        "Or ask for a sign-in link by e-mail below.",
    ),
    "sso_refused_title": ("Inloggen is niet gelukt", "Signing in did not work"),
    "sso_signed_in_as": ("Je bent daar ingelogd als", "You are signed in there as"),
    "back_to_sign_in": ("Terug naar inloggen", "Back to sign in"),
    "sso_flow_lost": (
        "Deze inlogpoging is verlopen of is niet in deze browser begonnen. Begin opnieuw op de"
        " inlogpagina.",
        "This sign-in attempt has expired or was not started in this browser. Start again on"
        " the sign-in page.",
    ),
    "sso_provider_said_no": (
        "Het inloggen bij {provider} is afgebroken of geweigerd. Probeer het opnieuw, of vraag"
        " een inloglink per e-mail aan.",
        "Signing in at {provider} was cancelled or refused. Try again, or ask for a sign-in"
        " link by e-mail.",
    ),
    "sso_not_confirmed": (
        "Regie kon je inlog bij {provider} niet bevestigen. Probeer het opnieuw. Lukt het weer"
        " niet, vraag dan een inloglink per e-mail aan en meld het bij de functioneel beheerder"
        " van je schoolbestuur.",
        "Regie could not confirm your sign-in at {provider}. Try again. If it fails again, ask"
        " for a sign-in link by e-mail and tell your school board's functional administrator.",
    ),
    "sso_unavailable": (
        "Regie kan {provider} nu niet bereiken. Vraag een inloglink per e-mail aan, of probeer"
        " het later opnieuw.",
        "Regie cannot reach {provider} right now. Ask for a sign-in link by e-mail, or try"
        " again later.",
    ),
    "sso_no_verified_email": (
        "Je account bij {provider} geeft Regie geen bevestigd e-mailadres. Vraag de functioneel"
        " beheerder van je schoolbestuur om dat in te stellen, of vraag een inloglink per e-mail"
        " aan.",
        "Your account at {provider} gives Regie no confirmed e-mail address. Ask your school"
        " board's functional administrator to set that up, or ask for a sign-in link by e-mail.",
    ),
    "sso_unknown_person": (
        "Je bent bij {provider} ingelogd, maar Regie heeft geen rol voor dit account. Vraag de"
        " functioneel beheerder van Regie bij je schoolbestuur om je toe te voegen met het"
        " e-mailadres van dit account. Daarna kun je hier inloggen.",
        "You are signed in at {provider}, but Regie has no role for this account. Ask your"
        " school board's functional administrator for Regie to add you with this account's"
        " e-mail address. Then you can sign in here.",
    ),
    "no_tasks": ("Je hebt geen open taken.", "You have no open tasks."),
    "overdue": ("Te laat", "Overdue"),
    "due": ("Deadline", "Deadline"),
    "left": ("nog", "left"),
    "late_by": ("te laat sinds", "late since"),
    "open_task": ("Open taak", "Open task"),
    "step": ("Stap", "Step"),
    "school": ("School", "School"),
    "status": ("Status", "Status"),
    "what_to_do": ("Wat doe je?", "What to do"),
    "never_images": (
        "Upload, stuur of bewaar nooit beelden. Regie slaat geen beelden op: beschrijf in "
        "woorden wat er is gedeeld.",
        "Never upload, send or keep images. Regie stores no images: describe in words what "
        "was shared.",
    ),
    "submit": ("Opslaan en afronden", "Save and complete"),
    "not_applicable": ("Niet van toepassing", "Not applicable"),
    "reason": ("Reden", "Reason"),
    "mark_not_applicable": ("Markeer als niet van toepassing", "Mark as not applicable"),
    "reassign": ("Aan een collega geven", "Give to a colleague"),
    "colleague": ("Collega", "Colleague"),
    "reassign_button": ("Overdragen", "Reassign"),
    "errors_title": ("Er klopt iets niet", "Something is not right"),
    "saved": ("Opgeslagen", "Saved"),
    "next_opens": ("Nu gaan deze stappen open:", "These steps open now:"),
    "nothing_opens": (
        "Er gaan nu geen nieuwe stappen open; Regie houdt de rest bij.",
        "No new steps open now; Regie keeps track of the rest.",
    ),
    "back_to_tasks": ("Terug naar mijn taken", "Back to my tasks"),
    "summary": ("Korte beschrijving", "Short description"),
    "summary_help": (
        "In woorden: wat is er gedeeld, waar, sinds wanneer. Geen namen nodig.",
        "In words: what was shared, where, since when. No names needed.",
    ),
    "start": ("Incident starten", "Start incident"),
    "incident": ("Incident", "Incident"),
    "plan": ("Het stappenplan", "The step plan"),
    "linked": ("Gekoppelde incidenten op andere scholen", "Linked incidents at other schools"),
    "history": ("Tijdlijn", "Timeline"),
    "media_inquiry": ("Vraag van de media", "Media inquiry"),
    "new_information": ("De beelden duiken opnieuw op", "The images turned up again"),
    "cancel": ("Vals alarm: incident stoppen", "False alarm: stop the incident"),
    "record": ("Vastleggen", "Record"),
    "optional_note": ("Toelichting (optioneel)", "Note (optional)"),
    "preview": ("Bekijk de brief", "Preview the letter"),
    "preview_title": ("Zo ziet de tekst eruit", "This is how the text reads"),
    "approve_send": ("Goedkeuren en versturen", "Approve and send"),
    "escalated": ("Opgeschaald", "Escalated"),
    "incidents_per_month": ("Incidenten per maand", "Incidents per month"),
    "deadlines_met": ("Deadlines gehaald", "Deadlines met"),
    "open_incidents": ("Open incidenten", "Open incidents"),
    "overdue_tasks": ("Taken over de deadline", "Overdue tasks"),
    "escalations": ("Opschalingen", "Escalations"),
    "no_access": ("Geen toegang", "No access"),
    "language": ("Taal", "Language"),
    "row": ("Regel", "Row"),
    "leave_empty": ("Laat leeg als je hem niet nodig hebt.", "Leave empty if not needed."),
    # The incident page.
    "reference": ("Kenmerk", "Reference"),
    "held_by": ("Bij", "With"),
    "due_short": ("deadline", "due"),
    "no_linked": ("Er zijn geen gekoppelde incidenten.", "There are no linked incidents."),
    "not_yours": ("geen toegang voor jou", "not accessible to you"),
    "events": ("Is er iets gebeurd?", "Has something happened?"),
    "media_inquiry_help": (
        "Een journalist heeft gebeld of gemaild. Regie zet de stap Media open voor de "
        "communicatieadviseur van het bestuur.",
        "A journalist called or wrote. Regie opens the media step for the board's "
        "communications adviser.",
    ),
    "new_information_help": (
        "De beelden zijn weer ergens gedeeld. Was het verwijderen al afgerond, dan start "
        "Regie een nieuwe ronde verwijderen.",
        "The images were shared again somewhere. If removal was finished, Regie starts a "
        "new round of removal.",
    ),
    "cancel_help": (
        "Alleen bij vals alarm. Alle open taken stoppen en wie een taak had, krijgt bericht. "
        "Dit kan niet ongedaan worden gemaakt.",
        "Only for a false alarm. All open tasks stop and whoever held one is told. This "
        "cannot be undone.",
    ),
    "cancel_reason": (
        "Waarom is het vals alarm? (verplicht)",
        "Why is it a false alarm? (required)",
    ),
    "cancel_button": ("Incident stoppen", "Stop the incident"),
    "reason_required": (
        "Schrijf op waarom het vals alarm is; dan stopt Regie het incident.",
        "Write down why it is a false alarm; then Regie stops the incident.",
    ),
    "no_names_note": (
        "Schrijf geen namen van leerlingen op.",
        "Do not write pupils' names.",
    ),
    "recorded": (
        "Vastgelegd. Regie verwerkt het nu; ververs de pagina over een paar seconden.",
        "Recorded. Regie is processing it; reload the page in a few seconds.",
    ),
    "incident_not_open": (
        "Dit incident is niet meer open; er kan niets meer veranderen.",
        "This incident is no longer open; nothing can change.",
    ),
    "timeline_only": (
        "Je leest als auditor of privacyfunctionaris alleen de tijdlijn van dit incident.",
        "As an auditor or privacy officer you read this incident's timeline only.",
    ),
    "no_history": ("Er staat nog niets in de tijdlijn.", "Nothing in the timeline yet."),
    # The printable history.
    "history_of": ("Geschiedenis van incident", "History of incident"),
    "print_history": ("Geschiedenis afdrukken", "Print the history"),
    "printed_by": ("Opgesteld door {who} op {when}.", "Prepared by {who} on {when}."),
    "print_intro": (
        "Alles wat bij dit incident is gedaan en bekeken, uit het auditlog van Regie, met"
        " tijden tot op de seconde. Er staan geen namen van leerlingen in.",
        "Everything done and viewed in this incident, from Regie's audit log, timed to the"
        " second. It holds no pupil names.",
    ),
    "temporal_included": (
        "De gebeurtenissen van de workflow in Temporal (timers, updates, signalen, pogingen)"
        " zijn ingevoegd.",
        "The workflow's events in Temporal (timers, updates, signals, attempts) are merged in.",
    ),
    "temporal_unavailable": (
        "Temporal bewaart de geschiedenis van de workflow niet meer (of was niet bereikbaar);"
        " dit overzicht komt alleen uit het auditlog, dat volledig is.",
        "Temporal no longer keeps the workflow's history (or could not be reached); this"
        " overview is the audit log alone, which is complete.",
    ),
    "col_when": ("Tijd", "Time"),
    "col_who": ("Wie", "Who"),
    "col_what": ("Wat", "What"),
    "col_source": ("Bron", "Source"),
    "source_audit": ("auditlog", "audit log"),
    "source_temporal": ("Temporal", "Temporal"),
    "to_incident": ("Naar het incident", "To the incident"),
    # The board overview.
    "privacy_title": ("Inzage en verwijdering", "Access and erasure"),
    "privacy_intro": (
        "Een leerling of ouder vraagt wat Regie over hem of haar bewaart (AVG artikel 15) of"
        " vraagt dat te verwijderen (artikel 17). Je ziet alleen wat over deze persoon gaat;"
        " namen van anderen staan er als 'Leerling B'. Elk verzoek komt in het logboek, zonder"
        " de naam.",
        "A pupil or parent asks what Regie holds about them (GDPR article 15) or asks for it to"
        " be erased (article 17). You see only what is about this person; others' names show"
        " as 'Leerling B'. Every request is logged, without the name.",
    ),
    "privacy_access": ("Inzageverzoek", "Request for access"),
    "privacy_name": ("Volledige naam", "Full name"),
    "privacy_name_help": (
        "Zoals de school de naam in het incident schreef; hoofdletters en accenten maken niet uit.",
        "As the school wrote it in the incident; capitals and accents do not matter.",
    ),
    "privacy_name_needed": (
        "Vul de volledige naam in (2 tot 200 tekens).",
        "Fill in the full name (2 to 200 characters).",
    ),
    "privacy_show": ("Toon wat Regie bewaart", "Show what Regie holds"),
    "privacy_download": ("Download als JSON", "Download as JSON"),
    "privacy_found": ("Incidenten met deze persoon", "Incidents with this person"),
    "privacy_nothing_held": (
        "Regie bewaart niets onder deze naam.",
        "Regie holds nothing under this name.",
    ),
    "privacy_only_named": (
        "Geen betrokkene in dit incident, maar genoemd in een tekst.",
        "Not a person of this incident, but named in a text.",
    ),
    "privacy_texts": ("Teksten over deze persoon", "Texts about this person"),
    "privacy_answers": ("Vastgelegd bij de stappen", "Recorded in the steps"),
    "privacy_erase": ("Verwijderverzoek", "Request for erasure"),
    "privacy_erase_intro": (
        "De naam verdwijnt uit alle incidenten van het bestuur: in de gegevens komt het label"
        " ('Leerling A') ervoor in de plaats, in teksten waar de persoon alleen genoemd is"
        " '[gewist]'. Wat de"
        " school deed en wanneer blijft staan. Dit kan niet ongedaan worden gemaakt: bekijk"
        " eerst het inzageverzoek.",
        "The name goes from every incident of the board: in the records it becomes the label"
        " ('Leerling A'), in texts that only mention the person '[gewist]'. What the school did"
        " and when stays. This cannot be undone: look at the access request first.",
    ),
    "privacy_confirm": (
        "Ik begrijp dat dit niet ongedaan kan worden gemaakt.",
        "I understand this cannot be undone.",
    ),
    "privacy_confirm_needed": (
        "Vink aan dat je begrijpt dat verwijderen niet ongedaan kan worden gemaakt.",
        "Tick that you understand the erasure cannot be undone.",
    ),
    "privacy_erase_button": ("Verwijder deze persoon", "Erase this person"),
    "privacy_erased": ("Verwijderd uit deze incidenten", "Erased from these incidents"),
    "privacy_nothing_found": (
        "Regie bewaart niets onder deze naam; controleer de schrijfwijze met een inzageverzoek.",
        "Regie holds nothing under this name; check the spelling with a request for access.",
    ),
    "privacy_officer_only": (
        "Alleen de privacyfunctionaris van het bestuur behandelt inzage- en verwijderverzoeken."
        " Vraag de functioneel beheerder om die rol aan de juiste persoon te geven.",
        "Only the board's privacy officer handles requests for access and erasure. Ask the"
        " functional admin to give that role to the right person.",
    ),
    "board_only": (
        "Het bestuursoverzicht is voor het bestuursbureau.",
        "The board overview is for the board's office.",
    ),
    "per_school": ("Per school", "Per school"),
    "no_schools": ("Dit bestuur heeft nog geen scholen.", "This board has no schools yet."),
    "month": ("Maand", "Month"),
    "incidents": ("Incidenten", "Incidents"),
    "on_time": ("Op tijd", "On time"),
    "late": ("Te laat", "Late"),
    "last_12_months": ("afgelopen 12 maanden", "last 12 months"),
    "deadlines_help": (
        "Afgeronde taken per maand: afgerond voor de deadline of erna. Gestopte taken tellen "
        "niet mee.",
        "Closed tasks per month: closed by the deadline or after it. Cancelled tasks do not count.",
    ),
    "policy_review": ("Beleidsevaluatie", "Policy review"),
    "review_last": ("Laatste evaluatie", "Last review"),
    "review_next": ("Volgende", "Next"),
    "review_changed": ("Wat is er veranderd", "What changed"),
    "review_paused": ("gepauzeerd", "paused"),
    "review_unchanged": ("beleid ongewijzigd", "policy unchanged"),
}

MONTHS: tuple[tuple[str, str], ...] = (
    ("jan", "Jan"), ("feb", "Feb"), ("mrt", "Mar"), ("apr", "Apr"), ("mei", "May"),
    ("jun", "Jun"), ("jul", "Jul"), ("aug", "Aug"), ("sep", "Sep"), ("okt", "Oct"),
    ("nov", "Nov"), ("dec", "Dec"),
)  # fmt: skip

# The timeline's sentences per audit kind. Placeholders: {actor} who did it, {task} the task's
# title, {person} who received it, {level} escalation level, {linked} an incident reference.
# Only staff names and references go in; the audit log holds no pupil data to begin with.
EVENTS: dict[str, tuple[str, str]] = {
    "incident_created": ("{actor} heeft het incident gemeld.", "{actor} reported the incident."),
    "incident_opened": (
        "Regie heeft het incident geopend en het stappenplan klaargezet.",
        "Regie opened the incident and set out the step plan.",
    ),
    "task_opened": (
        "Taak ‘{task}’ staat open bij {person}.",
        "Task ‘{task}’ is open for {person}.",
    ),
    "task_done": ("{actor} heeft ‘{task}’ afgerond.", "{actor} completed ‘{task}’."),
    "task_not_applicable": (
        "{actor} heeft ‘{task}’ als niet van toepassing afgesloten.",
        "{actor} closed ‘{task}’ as not applicable.",
    ),
    "task_reassigned": (
        "{actor} heeft ‘{task}’ overgedragen aan {person}.",
        "{actor} handed ‘{task}’ over to {person}.",
    ),
    "task_reminded": (
        "Regie heeft {person} herinnerd aan ‘{task}’.",
        "Regie reminded {person} of ‘{task}’.",
    ),
    "task_escalated": (
        "‘{task}’ is over de deadline; opgeschaald naar {person} (niveau {level}).",
        "‘{task}’ is past its deadline; escalated to {person} (level {level}).",
    ),
    "email_refused": (
        "De mailserver weigerde het e-mailadres van {person}; de e-mail over ‘{task}’ is niet "
        "bezorgd.",
        "The mail server refused the e-mail address of {person}; the e-mail about ‘{task}’ "
        "was not delivered.",
    ),
    "step_skipped": (
        "Stap ‘{task}’ is voor dit incident niet nodig en overgeslagen.",
        "Step ‘{task}’ is not needed for this incident and was skipped.",
    ),
    "media_inquiry": (
        "{actor} heeft een vraag van de media vastgelegd.",
        "{actor} recorded a media inquiry.",
    ),
    "new_information": (
        "{actor} heeft gemeld dat de beelden opnieuw opduiken.",
        "{actor} reported that the images turned up again.",
    ),
    "board_alerted": (
        "Direct doorverwijzen nodig: Regie heeft {person} van het bestuur meteen ingelicht.",
        "Immediate referral needed: Regie told {person} at the board at once.",
    ),
    "report_handoff_prepared": (
        "Regie heeft de tekst voor de melding klaargezet (zonder beelden).",
        "Regie prepared the text for the report (without images).",
    ),
    "removal_instructions_sent": (
        "Regie heeft de verwijderinstructies naar de mentoren gestuurd.",
        "Regie sent the removal instructions to the mentors.",
    ),
    "parent_letter_sent": (
        "{actor} heeft de ouderbrief goedgekeurd; Regie heeft hem verstuurd.",
        "{actor} approved the parent letter; Regie sent it.",
    ),
    "media_statement_sent": (
        "{actor} heeft de mediaverklaring goedgekeurd; Regie heeft hem verstuurd.",
        "{actor} approved the media statement; Regie sent it.",
    ),
    "document_refused": (
        "Regie heeft een tekst bij ‘{task}’ tegengehouden: er stond een betrokkene in.",
        "Regie held back a text of ‘{task}’: it named a person involved.",
    ),
    "incident_linked": (
        "Gekoppeld aan incident {linked} op een andere school.",
        "Linked to incident {linked} at another school.",
    ),
    "link_refused": (
        "Een incident op een andere school kon niet worden gekoppeld.",
        "An incident at another school could not be linked.",
    ),
    "incident_viewed": ("{actor} heeft het incident bekeken.", "{actor} viewed the incident."),
    "history_viewed": ("{actor} heeft de tijdlijn bekeken.", "{actor} read the timeline."),
    "history_exported": (
        "{actor} heeft de geschiedenis geëxporteerd.",
        "{actor} exported the history.",
    ),
    "access_export": (
        "{actor} heeft op een inzageverzoek gegevens uit dit incident geëxporteerd.",
        "{actor} exported data of this incident for a request for access.",
    ),
    "personal_data_erased": (
        "Persoonsgegevens in dit incident zijn gewist.",
        "Personal data in this incident was erased.",
    ),
    "incident_closed": ("Het incident is afgerond.", "The incident was closed."),
    "incident_cancelled": (
        "{actor} heeft het incident gestopt (vals alarm).",
        "{actor} stopped the incident (false alarm).",
    ),
    "task_cancelled": (
        "‘{task}’ is gestopt omdat het incident is gestopt.",
        "‘{task}’ stopped because the incident was stopped.",
    ),
}

STATUS: dict[str, tuple[str, str]] = {
    "waiting": ("wacht", "waiting"),
    "open": ("open", "open"),
    "open_elsewhere": ("open bij een collega", "open with a colleague"),
    "done": ("klaar", "done"),
    "not_applicable": ("niet van toepassing", "not applicable"),
    "skipped": ("overgeslagen", "skipped"),
    "cancelled": ("gestopt", "cancelled"),
    "closed": ("afgerond", "closed"),
    "overdue": ("te laat", "overdue"),
    "escalated": ("opgeschaald", "escalated"),
}


def t(key: str, lang: Lang) -> str:
    nl, en = TEXT[key]
    return en if lang == "en" else nl


def status_word(status: str, lang: Lang) -> str:
    nl, en = STATUS.get(status, (status, status))
    return en if lang == "en" else nl


def month_name(month: int, lang: Lang) -> str:
    nl, en = MONTHS[month - 1]
    return en if lang == "en" else nl


# Temporal's events in the printable history. Placeholders come from the item's detail: ids,
# names of activities, signals and updates, attempt numbers, seconds. Never a payload.
TEMPORAL_EVENTS: dict[str, tuple[str, str]] = {
    "WorkflowExecutionStarted": ("Workflow gestart.", "Workflow started."),
    "WorkflowExecutionCompleted": ("Workflow afgerond.", "Workflow completed."),
    "WorkflowExecutionFailed": ("Workflow mislukt.", "Workflow failed."),
    "WorkflowExecutionTerminated": ("Workflow beëindigd.", "Workflow terminated."),
    "WorkflowExecutionCanceled": ("Workflow gestopt.", "Workflow cancelled."),
    "TimerStarted": (
        "Timer {timer_id} gezet op {seconds} seconden.",
        "Timer {timer_id} set for {seconds} seconds.",
    ),
    "TimerFired": ("Timer {timer_id} afgelopen.", "Timer {timer_id} fired."),
    "TimerCanceled": ("Timer {timer_id} geannuleerd.", "Timer {timer_id} cancelled."),
    "ActivityTaskScheduled": ("Activiteit {activity} ingepland.", "Activity {activity} scheduled."),
    "ActivityTaskStarted": (
        "Activiteit {activity} gestart (poging {attempt}).",
        "Activity {activity} started (attempt {attempt}).",
    ),
    "ActivityTaskCompleted": ("Activiteit {activity} voltooid.", "Activity {activity} completed."),
    "ActivityTaskFailed": ("Activiteit {activity} mislukt.", "Activity {activity} failed."),
    "ActivityTaskTimedOut": (
        "Activiteit {activity} duurde te lang.",
        "Activity {activity} timed out.",
    ),
    "WorkflowExecutionSignaled": ("Signaal {signal} ontvangen.", "Signal {signal} received."),
    "SignalExternalWorkflowExecutionInitiated": (
        "Signaal {signal} verstuurd naar {workflow_id}.",
        "Signal {signal} sent to {workflow_id}.",
    ),
    "WorkflowExecutionUpdateAccepted": ("Update {update} aanvaard.", "Update {update} accepted."),
    "WorkflowExecutionUpdateCompleted": (
        "Update {update} afgehandeld ({outcome}).",
        "Update {update} completed ({outcome}).",
    ),
    "StartChildWorkflowExecutionInitiated": (
        "Workflow {workflow_id} gestart.",
        "Workflow {workflow_id} started.",
    ),
}


def temporal_sentence(kind: str, detail: dict[str, object], lang: Lang) -> str:
    """The printable history's sentence for a `temporal:<EventType>` item."""
    name = kind.removeprefix("temporal:")
    if name not in TEMPORAL_EVENTS:
        return name
    nl, en = TEMPORAL_EVENTS[name]
    try:
        return (en if lang == "en" else nl).format(**{k: str(v) for k, v in detail.items()})
    except KeyError:
        return name


def event_sentence(kind: str, lang: Lang, **words: str) -> str:
    """The timeline's sentence for an audit kind; an unknown kind shows as its key."""
    if kind not in EVENTS:
        return kind.replace("_", " ")
    nl, en = EVENTS[kind]
    return (en if lang == "en" else nl).format(**words)
