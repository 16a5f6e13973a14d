from django.contrib import admin

from .models import Attribute, Case, CaseValue, Membership, Project, Source


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "language", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class CaseValueInline(admin.TabularInline):
    model = CaseValue
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["name", "project"]
    list_filter = ["project"]
    inlines = [CaseValueInline]


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "project"]
    list_filter = ["project"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "project", "date", "word_count"]
    list_filter = ["project", "kind"]
    search_fields = ["title"]
    filter_horizontal = ["cases"]
    readonly_fields = ["word_count", "format", "original_name"]
