"""Coalition and CoalitionMembership now belong to the coalitions app (tables kept, renamed there)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_alter_auditevent_action_coalition_and_more'),
        ('coalitions', '0001_initial'),
        ('reports', '0004_coalitions_move_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CoalitionMembership'),
                migrations.DeleteModel(name='Coalition'),
            ]
        ),
    ]
