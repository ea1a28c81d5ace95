"""BenchmarkSnapshot now belongs to the coalitions app (its table is kept and renamed there);
position charts get their own table there, so the cached copy on stored reports goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('coalitions', '0001_initial'),
        ('reports', '0003_cyclereport_coalition_charts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='BenchmarkSnapshot')]),
        migrations.RemoveField(model_name='cyclereport', name='coalition_charts'),
    ]
