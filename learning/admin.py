from django.contrib import admin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "published_at", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title"]
