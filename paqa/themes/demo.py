"""The reference report's conclusions for 2018-19, as key messages resting on themes."""

from django.db import transaction

from paqa.themes.models import KeyMessage

KEY_MESSAGES = [
    (
        "There is much to be proud of.",
        "The examples in the self-assessments, the evidence in the audits and feedback point to a "
        "motivated workforce that want to make a difference and get it right for children.",
        ["working-together", "training"],
    ),
    (
        "We need to continue to focus on working well together.",
        "Using multi-agency chronologies, sharing information and co-ordinating work is a theme "
        "for development.",
        ["multi-agency-chronologies", "information-sharing", "co-ordinated-work"],
    ),
    (
        "We need to Think Family.",
        "We need to better involve families; from ensuring that dads attend conferences and that "
        "the views of children and their siblings are understood.",
        ["think-family", "attendance-at-conferences"],
    ),
    (
        "We need to listen to children.",
        "Feedback from reviews and audits indicates that children really value when they feel that "
        "they are heard and understood. Sometimes they have felt overlooked.",
        ["voice-of-the-child"],
    ),
    (
        "The workload is high.",
        "Data tells us that there is a continued demand on the services in the system; and the "
        "complexity of cases makes it a challenging work environment.",
        ["workload"],
    ),
]


@transaction.atomic
def demo_key_messages_load(year: str = "2018-19") -> None:
    if KeyMessage.objects.filter(year=year).exists():
        return
    for order, (title, text, themes) in enumerate(KEY_MESSAGES, start=1):
        KeyMessage.objects.create(year=year, order=order, title=title, text=text, themes=themes)
