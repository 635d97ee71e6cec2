from django.db.models import QuerySet
from django.utils import timezone

from .models import Notice


def notices_published(limit: int | None = 10) -> QuerySet[Notice]:
    notices = Notice.objects.filter(is_published=True, published_at__lte=timezone.now()).select_related("region")
    return notices[:limit] if limit else notices
