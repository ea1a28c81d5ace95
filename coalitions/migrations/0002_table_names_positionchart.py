"""Give the moved tables this app's names, and keep coalition position charts in their own table."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_coalitions_move_out'),
        ('assessment', '0001_initial'),
        ('coalitions', '0001_initial'),
        ('reports', '0004_coalitions_move_out'),
    ]

    operations = [
        migrations.AlterModelTable(name='coalition', table=None),
        migrations.AlterModelTable(name='coalitionmembership', table=None),
        migrations.AlterModelTable(name='benchmarksnapshot', table=None),
        migrations.CreateModel(
            name='PositionChart',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('figure', models.TextField()),
                ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessment.cycle')),
                ('snapshot', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coalitions.benchmarksnapshot')),
            ],
        ),
        migrations.AddConstraint(
            model_name='positionchart',
            constraint=models.UniqueConstraint(fields=('snapshot', 'cycle'), name='one_position_chart_per_cycle'),
        ),
    ]
