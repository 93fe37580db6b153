"""What a person reads on a task: the step's guidance in plain words, from the Dutch guidance.

Nobody looks for, views, copies or asks for the images; the assess and remove texts say so.
"""

from domain.steps import TaskKind

NO_IMAGES_NL = (
    "Zoek, bekijk, kopieer of vraag nooit naar de beelden: ook dat is strafbaar. Beschrijf "
    "alleen wat er is gedeeld."
)
NO_IMAGES_EN = (
    "Never look for, view, copy or ask for the images: that is a crime too. Only describe what "
    "was shared."
)

GUIDANCE: dict[TaskKind, tuple[str, str]] = {
    TaskKind.assess: (
        "Breng in kaart om wat voor beelden het gaat en wie erbij betrokken zijn. Is de "
        "afgebeelde persoon een leerling van jouw school? Zitten er in de appgroep leerlingen "
        "van alleen jouw school of ook van een andere school? Is de verspreider een leerling "
        "van jouw school? " + NO_IMAGES_NL,
        "Map what kind of images these are and who is involved. Is the person depicted a pupil "
        "of your school? Are there pupils of other schools in the app group? Is the spreader a "
        "pupil of your school? " + NO_IMAGES_EN,
    ),
    TaskKind.support: (
        "Zeg direct tegen het slachtoffer: 'Het is niet jouw schuld'. Geef ook niet indirect de "
        "schuld, bijvoorbeeld met 'Het was niet handig om een naaktfoto te delen'. Vraag wat het "
        "slachtoffer nodig heeft en regel hulp als diegene dat wil; ook Helpwanted kan helpen. "
        "Vraag wie er volgens het slachtoffer geïnformeerd mag worden. Zit het slachtoffer op "
        "een andere school? Draag dan op jouw school uit dat het nooit de schuld van het "
        "slachtoffer is.",
        "Tell the victim at once: 'It is not your fault'. Do not blame them indirectly either, "
        "for instance with 'sharing a nude was not wise'. Ask what the victim needs and arrange "
        "help if they want it; Helpwanted can help too. Ask who the victim agrees may be "
        "informed. Is the victim at another school? Then make clear at your school that it is "
        "never the victim's fault.",
    ),
    TaskKind.report: (
        "Gaat het mogelijk om afbeeldingen van seksueel kindermisbruik? Meld ze bij het Meldpunt "
        "Kinderporno als ze een URL hebben. Zijn ze zonder URL in een groepsapp gedeeld? Meld "
        "via www.hetstoptbijjou.nl en bij de politie. Meld eerst; verwijder daarna. Noteer het "
        "kenmerk van elke melding. Stuur nooit de beelden mee.",
        "Could these be images of child sexual abuse? Report them to the Meldpunt Kinderporno "
        "when they have a URL. Shared in an app group without a URL? Report at "
        "www.hetstoptbijjou.nl and to the police. Report first; remove afterwards. Record each "
        "report's reference. Never attach the images.",
    ),
    TaskKind.remove: (
        "Laat de beelden verwijderen uit alle appgroepen en van alle telefoons, tablets en "
        "laptops: door de verzender voor iedereen, door de beheerder van de groep, of door elk "
        "lid zelf. Doe dit bij voorkeur klassikaal. Vertel dat bezit, doorsturen en screenshots "
        "maken strafbaar is. " + NO_IMAGES_NL,
        "Have the images removed from every app group and from every phone, tablet and laptop: "
        "by the sender for everyone, by the group admin, or by every member. Preferably do it "
        "class-wide. Tell pupils that possessing, forwarding and screenshotting is a crime. "
        + NO_IMAGES_EN,
    ),
    TaskKind.confront: (
        "Spreek degenen die verantwoordelijk zijn voor de verspreiding aan op hun gedrag, "
        "passend bij de aard en omvang van het incident, met of zonder ouders. Kies passende "
        "sancties. De wijkagent kan meedenken en een gesprek begeleiden.",
        "Talk to those responsible for the spreading about their behaviour, fitting the size of "
        "the incident, with or without parents. Choose fitting sanctions. The neighbourhood "
        "officer can advise and guide a conversation.",
    ),
    TaskKind.inform: (
        "Bedenk wie geïnformeerd moet worden: de ouders van de verspreider, van de afgebeelde "
        "persoon, van de klas of van de hele school. Soms is het niet wenselijk dat alle ouders "
        "het horen. Wees cultuur- en religiesensitief. Laat het slachtoffer een belangrijke stem "
        "hebben. Noem nooit de naam van het slachtoffer of de verspreider in een brief.",
        "Decide who must be informed: the parents of the spreader, of the person depicted, of "
        "the class or of the whole school. Sometimes not all parents should hear of it. Be "
        "sensitive to culture and religion. Give the victim an important say. Never name the "
        "victim or the spreader in a letter.",
    ),
    TaskKind.media: (
        "Bereid je voor op media-aandacht. Wat breng je wel en niet naar buiten? Wie is de "
        "woordvoerder? Bescherm de anonimiteit van de direct betrokkenen: noem geen namen.",
        "Prepare for media attention. What will and will not be said? Who speaks for the "
        "school? Protect the anonymity of those directly involved: name no one.",
    ),
    TaskKind.evaluate: (
        "Evalueer: wat ging goed, wat kan beter, en moet het beleid worden aangepast? De lessen "
        "gaan mee naar de jaarlijkse evaluatie van het beleid.",
        "Evaluate: what went well, what can be better, and must the policy change? The lessons "
        "go to the yearly policy review.",
    ),
    TaskKind.contact_outside_school: (
        "Er zitten leerlingen van een school buiten jullie bestuur in de appgroep. Neem contact "
        "op met de schoolleiding van die school, zodat ook zij de stappen kunnen zetten. Noem "
        "geen namen van leerlingen die niet op die school zitten.",
        "Pupils of a school outside your board are in the app group. Contact that school's "
        "management so they can take the steps too. Do not name pupils who are not at that "
        "school.",
    ),
}


def guidance(kind: TaskKind, language: str = "nl") -> str:
    nl, en = GUIDANCE[kind]
    return en if language == "en" else nl
