from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.instrument_file import CROSSWALK_FILE, InstrumentFileError, read_crosswalk, shipped_instrument_files
from assessment.services.questionnaires import SHIPPED_QUESTIONNAIRES, questionnaires_load_shipped


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
        try:
            # The crosswalk ships with the versions it joins and is read where reports use it; it
            # is checked against the files first, so a bad one loads nothing.
            pairs = read_crosswalk(crosswalk, shipped_instrument_files(directory))
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
        if crosswalk.exists():
            self.stdout.write(f"The crosswalk between versions ({crosswalk.name}) holds {len(pairs)} checked pairs.")
        else:
            self.stdout.write(f"No crosswalk between versions ({crosswalk.name}) is shipped.")
