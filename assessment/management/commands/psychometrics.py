import json

from django.core.management.base import BaseCommand

from assessment import psychometrics
from assessment.selectors import pooled_staff_answer_sets


class Command(BaseCommand):
    help = (
        "For maintainers: Cronbach's alpha and item-rest correlations per dimension, over the pooled "
        "responses of every closed staff survey, per questionnaire version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, **options):
        output = []
        for questionnaire, instrument, answer_sets in pooled_staff_answer_sets():
            for found in psychometrics.dimension_reliability(instrument, answer_sets):
                output.append(
                    {
                        "questionnaire": questionnaire.slug,
                        "version": questionnaire.version,
                        "dimension": found.key,
                        "n": found.n,
                        "alpha": found.alpha,
                        "item_rest": found.item_rest,
                    }
                )
        if options["json"]:
            self.stdout.write(json.dumps(output, indent=1))
            return
        for row in output:
            alpha = "n/a" if row["alpha"] is None else f"{row['alpha']:.2f}"
            head = f"{row['questionnaire']} v{row['version']}  {row['dimension']:<18}"
            self.stdout.write(f"{head} n={row['n']:<5} alpha={alpha}")
            for key, value in row["item_rest"].items():
                shown = "n/a" if value is None else f"{value:.2f}"
                self.stdout.write(f"    {key:<40} item-rest r={shown}")
