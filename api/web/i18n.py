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
}

STATUS: dict[str, tuple[str, str]] = {
    "waiting": ("wacht", "waiting"),
    "open": ("open", "open"),
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
