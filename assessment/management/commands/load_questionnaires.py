from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.instrument_file import CROSSWALK_FILE, InstrumentFileError
from assessment.services.questionnaires import SHIPPED_QUESTIONNAIRES, questionnaires_load_shipped

CROSSWALK_NOT_READ_MESSAGE = (
    "{path} is present, but this version cannot load a crosswalk between questionnaire versions yet; "
    "no questionnaire was loaded."
)


class Command(BaseCommand):
    help = (
        "Load every questionnaire version that comes with the installation (fixtures/questionnaires/), "
        "oldest first. Safe to run again: run it after every migrate, so a release's new version is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", type=Path, default=SHIPPED_QUESTIONNAIRES, help="Folder of instrument files to load."
        )

    def handle(self, *args, directory: Path, **options):
        crosswalk = directory / CROSSWALK_FILE
        # A crosswalk ships with the versions it joins: refuse rather than load part of a release.
        if crosswalk.exists():
            raise CommandError(CROSSWALK_NOT_READ_MESSAGE.format(path=crosswalk))
        try:
            loaded = questionnaires_load_shipped(directory=directory)
        except InstrumentFileError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        for questionnaire, created in loaded:
            if created:
                self.stdout.write(self.style.SUCCESS(f"Loaded {questionnaire}: {questionnaire.items.count()} items."))
            else:
                self.stdout.write(f"{questionnaire} is already loaded; nothing changed.")
        self.stdout.write(f"No crosswalk between versions ({crosswalk.name}) is shipped; none loaded.")
