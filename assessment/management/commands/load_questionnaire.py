from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.instrument_file import InstrumentFileError, read_instrument_file
from assessment.services.questionnaires import questionnaire_load


class Command(BaseCommand):
    help = "Load an instrument file (fixtures/questionnaires/*.json) as a published questionnaire version."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path to the instrument JSON file.")

    def handle(self, *args, path, **options):
        try:
            data = read_instrument_file(path)
            questionnaire, created = questionnaire_load(data=data)
        except InstrumentFileError as error:
            raise CommandError(f"{path} is not a valid instrument:\n{error}") from None
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {questionnaire}: {questionnaire.items.count()} items."))
        else:
            self.stdout.write(f"{questionnaire} is already loaded; nothing changed.")
