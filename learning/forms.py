"""Forms parse and validate input only; the services do the work."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

from .models import DESCRIPTION_MAX_LENGTH, ApplicantCategory, CourseKind, LessonKind, TechnicalLevel


class CourseForm(forms.Form):
    title = forms.CharField(label=_("课程名称"), max_length=120)
    kind = forms.ChoiceField(label=_("科目类别"), choices=CourseKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    topic = forms.CharField(label=_("专题"), max_length=60, required=False)
    hours = forms.DecimalField(label=_("学时"), min_value=Decimal("0.1"), max_digits=4, decimal_places=1)
    instructor = forms.CharField(label=_("主讲人"), max_length=60, required=False)
    pass_mark = forms.IntegerField(label=_("测验合格分（百分制）"), min_value=1, max_value=100, initial=60)
    description = forms.CharField(
        label=_("课程简介"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
    )

    def __init__(self, *args: Any, providers: list[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.fields["provider"] = forms.ModelChoiceField(
                label=_("开课单位"),
                queryset=Organisation.objects.filter(pk__in=[p.pk for p in providers]),
                empty_label=None,
            )
            self.order_fields(["provider", *self.fields])


class CourseEditForm(forms.Form):
    """A course's details. Kind, year, hours and pass mark are shown disabled once learners enrolled
    (the service refuses them then anyway)."""

    title = forms.CharField(label=_("课程名称"), max_length=120)
    kind = forms.ChoiceField(label=_("科目类别"), choices=CourseKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    topic = forms.CharField(label=_("专题"), max_length=60, required=False)
    hours = forms.DecimalField(label=_("学时"), min_value=Decimal("0.1"), max_digits=4, decimal_places=1)
    instructor = forms.CharField(label=_("主讲人"), max_length=60, required=False)
    pass_mark = forms.IntegerField(label=_("测验合格分（百分制）"), min_value=1, max_value=100)
    description = forms.CharField(
        label=_("课程简介"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
    )

    RULE_FIELDS = ("kind", "year", "hours", "pass_mark")

    def __init__(self, *args: Any, rules_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rules_fixed:
            for name in self.RULE_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("已有学员选课，不能再修改。")


class LessonForm(forms.Form):
    title = forms.CharField(label=_("课时名称"), max_length=120)
    kind = forms.ChoiceField(label=_("形式"), choices=LessonKind.choices, initial=LessonKind.DOCUMENT)
    duration_seconds = forms.IntegerField(label=_("时长（秒）"), min_value=1, max_value=6 * 60 * 60)
    video = forms.FileField(
        label=_("视频文件（MP4 或 WebM）"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".mp4,.webm,video/mp4,video/webm"}),
    )
    video_url = forms.CharField(label=_("或视频地址（本站路径）"), max_length=255, required=False)
    body = forms.CharField(label=_("图文内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class LessonEditForm(forms.Form):
    title = forms.CharField(label=_("课时名称"), max_length=120)
    kind = forms.ChoiceField(label=_("形式"), choices=LessonKind.choices)
    duration_seconds = forms.IntegerField(label=_("时长（秒）"), min_value=1, max_value=6 * 60 * 60)
    video_url = forms.CharField(label=_("视频地址（本站路径）"), max_length=255, required=False)
    body = forms.CharField(label=_("图文内容"), widget=forms.Textarea(attrs={"rows": 6}), required=False)


class VideoUploadForm(forms.Form):
    video = forms.FileField(
        label=_("视频文件（MP4 或 WebM）"),
        widget=forms.FileInput(attrs={"accept": ".mp4,.webm,video/mp4,video/webm"}),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("题目"), max_length=300)
    choice_1 = forms.CharField(label=_("选项一"), max_length=200)
    choice_2 = forms.CharField(label=_("选项二"), max_length=200)
    choice_3 = forms.CharField(label=_("选项三"), max_length=200, required=False)
    choice_4 = forms.CharField(label=_("选项四"), max_length=200, required=False)
    correct = forms.MultipleChoiceField(
        label=_("正确答案"),
        choices=[("1", _("选项一")), ("2", _("选项二")), ("3", _("选项三")), ("4", _("选项四"))],
        widget=forms.CheckboxSelectMultiple,
    )

    def choices(self) -> list[tuple[str, bool]]:
        correct = set(self.cleaned_data["correct"])
        return [(self.cleaned_data.get(f"choice_{n}") or "", str(n) in correct) for n in range(1, 5)]


class PremiumForm(forms.Form):
    title = forms.CharField(label=_("课程名称"), max_length=120)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    experts = forms.CharField(label=_("授课专家"), max_length=200)
    description = forms.CharField(
        label=_("课程简介"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
    )

    def __init__(self, *args: Any, organisers: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"] = forms.ModelChoiceField(
            label=_("举办单位"),
            queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisers]),
            empty_label=None,
        )
        self.order_fields(["organiser", *self.fields])


class LiveSessionForm(forms.Form):
    title = forms.CharField(label=_("授课主题"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    hours = forms.DecimalField(label=_("学时"), min_value=Decimal("0.5"), max_digits=4, decimal_places=1)
    place = forms.CharField(label=_("地点或直播间"), max_length=200, required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("退回意见"), max_length=300)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class QualityDeclareForm(forms.Form):
    instructor = forms.CharField(label=_("授课教师手机号码"), max_length=11)
    year = forms.IntegerField(label=_("评选年度"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, courses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"] = forms.ModelChoiceField(label=_("课程"), queryset=courses, empty_label=None)
        self.order_fields(["course", "instructor", "year"])


class CohortForm(forms.Form):
    title = forms.CharField(label=_("培训班名称"), max_length=120)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    direction = forms.CharField(label=_("专业方向"), max_length=60)
    hours = forms.DecimalField(label=_("培训学时"), min_value=Decimal("0.5"), max_digits=5, decimal_places=1)
    days = forms.IntegerField(label=_("培训天数"), min_value=1, max_value=365)
    registration_opens = forms.DateField(label=_("报名开始"), widget=forms.DateInput(attrs={"type": "date"}))
    registration_closes = forms.DateField(label=_("报名截止"), widget=forms.DateInput(attrs={"type": "date"}))
    eligible_categories = forms.MultipleChoiceField(
        label=_("报名对象"), choices=ApplicantCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("培训说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
    )

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"] = forms.ModelChoiceField(
            label=_("承训机构"), queryset=organisers, empty_label=None
        )


class ApplyForm(forms.Form):
    category = forms.ChoiceField(label=_("报名类别"), choices=ApplicantCategory.choices)


class ResultForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("结业考核"), choices=[("1", _("合格")), ("0", _("不合格"))], coerce=lambda value: value == "1"
    )
    technical_level = forms.ChoiceField(label=_("等级评价"), choices=TechnicalLevel.choices, required=False)


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body_html = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "可使用简单排版：段落、加粗、列表、表格和链接"
            "（&lt;p&gt; &lt;strong&gt; &lt;ul&gt; &lt;li&gt; &lt;a&gt; 等），其他内容会被清除。"
        ),
    )
    published_at = forms.DateTimeField(
        label=_("发布时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    is_published = forms.BooleanField(label=_("发布（取消勾选即撤回）"), required=False, initial=True)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ModelChoiceField(
            label=_("发布范围"), queryset=regions, required=False, empty_label=str(_("全市"))
        )
        self.order_fields(["title", "region", "body_html", "published_at", "is_published"])


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（PDF、Word、Excel、图片、压缩包，10 MB 以内）"))
