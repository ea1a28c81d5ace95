from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.instrument_file import InstrumentFileError, read_instrument_file, shipped_instrument_files
from assessment.services.questionnaires import questionnaire_load


class Command(BaseCommand):
    help = "Load an instrument file (fixtures/questionnaires/*.json) as a published questionnaire version."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path to the instrument JSON file.")

    def handle(self, *args, path, **options):
        try:
            data = read_instrument_file(path)
            if "staff_view_of" in data:
                # Leadership's view of the staff items is copied from the staff survey beside it.
                data = next(
                    found
                    for found in shipped_instrument_files(Path(path).parent)
                    if (found["slug"], found["version"]) == (data["slug"], data["version"])
                )
            questionnaire, created = questionnaire_load(data=data)
        except InstrumentFileError as error:
            raise CommandError(f"{path} is not a valid instrument:\n{error}") from None
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {questionnaire}: {questionnaire.items.count()} items."))
        else:
            self.stdout.write(f"{questionnaire} is already loaded; nothing changed.")
