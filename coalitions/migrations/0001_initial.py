"""Coalitions move here from accounts (Coalition, CoalitionMembership) and reports
(BenchmarkSnapshot). Only Django's idea of the models moves: the tables, with every row, stay
where they are, and the next migration gives them this app's names."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0003_alter_auditevent_action_coalition_and_more'),
        ('reports', '0003_cyclereport_coalition_charts'),
        ('assessment', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Coalition',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('slug', models.SlugField(max_length=60, unique=True, verbose_name='short name')),
                        ('k_min', models.PositiveSmallIntegerField(default=5, help_text='No figures are published for fewer consenting members than this (5 or more).', verbose_name='minimum members for published figures')),
                        ('join_code_hash', models.CharField(blank=True, max_length=64)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('stewards', models.ManyToManyField(related_name='stewarded_coalitions', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['name'],
                        'db_table': 'accounts_coalition',
                    },
                ),
                migrations.CreateModel(
                    name='BenchmarkSnapshot',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('period', models.PositiveSmallIntegerField()),
                        ('published_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('stats', models.JSONField()),
                        ('published_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='snapshots', to='coalitions.coalition')),
                    ],
                    options={
                        'ordering': ['coalition', 'period'],
                        'db_table': 'reports_benchmarksnapshot',
                    },
                ),
                migrations.CreateModel(
                    name='CoalitionMembership',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('consented_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('consent_version', models.CharField(max_length=20)),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                        ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='coalitions.coalition')),
                        ('consented_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coalition_memberships', to='accounts.organization')),
                        ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-consented_at'],
                        'db_table': 'accounts_coalitionmembership',
                    },
                ),
                migrations.AddConstraint(
                    model_name='coalition',
                    constraint=models.CheckConstraint(condition=models.Q(('k_min__gte', 5)), name='coalition_k_min_floor'),
                ),
                migrations.AddConstraint(
                    model_name='benchmarksnapshot',
                    constraint=models.UniqueConstraint(fields=('coalition', 'period'), name='one_snapshot_per_period'),
                ),
                migrations.AddConstraint(
                    model_name='coalitionmembership',
                    constraint=models.UniqueConstraint(condition=models.Q(('withdrawn_at__isnull', True)), fields=('coalition', 'organization'), name='one_active_coalition_membership'),
                ),
            ],
        ),
    ]
