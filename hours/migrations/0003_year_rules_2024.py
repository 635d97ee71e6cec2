"""Loads the 2024 rule set from the Jining notice of 2024-04-26 and its Annex 1.

The figures are written out here (not imported from hours.rules) so that this migration keeps meaning
what it meant when it was written; they equal hours.rules.FIGURES_2024.to_dict().
"""

from django.db import migrations

FIGURES_2024 = {
    "year": 2024,
    "public_required": "30",
    "professional_required": "60",
    "compulsory_course_cap": "20",
    "elective_course_cap": "10",
    "public_study_opens": "2024-05-10",
    "claim_window_opens": "2024-01-01",
    "claim_window_closes": "2025-03-31",
    "dispatch_public_hours_per_year": "30",
    "dispatch_professional_hours_per_year": "60",
    "foreign_language_exam_hours": {"A": "30", "B": "20", "C": "10"},
    "computer_exam_hours_per_module": "5",
    "computer_exam_yearly_cap": "30",
    "competition_public_hours": {"national": "5", "provincial": "4", "city": "3", "county": "3"},
    "competition_professional_hours": {"national": "30", "provincial": "20", "city": "10", "county": "5"},
    "training_hours_per_day": "8",
    "self_study_exam_hours_per_course": "10",
    "self_study_exam_yearly_cap": "40",
    "research_hours_per_item": "10",
    "research_yearly_cap": "30",
    "expert_work_hours_per_day": "8",
    "qualification_exam_hours": "16",
    "skill_evaluation_hours": {
        "chief_technician": "30",
        "special_technician": "25",
        "senior_technician": "20",
        "technician": "15",
        "senior_worker": "10",
    },
    "reduction_months_away_over": {"abroad": 6, "sick_leave": 6, "maternity": 0},
    "quality_online_course_multiplier": "2",
    "digital_engineer_hours_per_day": "8",
}


def forwards(apps, schema_editor):
    YearRuleSet = apps.get_model("hours", "YearRuleSet")
    YearRuleSet.objects.get_or_create(year=2024, defaults={"figures": FIGURES_2024})


def backwards(apps, schema_editor):
    apps.get_model("hours", "YearRuleSet").objects.filter(year=2024, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("hours", "0002_ledger_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
