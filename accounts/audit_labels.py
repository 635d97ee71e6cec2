"""What the audit log's codes mean, in words a bureau's staff read: the action (``hours.review.approve``
→ 学时审核 · 审核通过), the role, the result and the kind of object. The codes stay what is stored and
filtered on; these are only their names on the page and in the export.

Every action a service records has its name here: ``tests/accounts/test_audit_labels.py`` finds the
codes in the source and fails on one without a name.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Role

#: The areas of the platform, for the log's filter (a code matches an area it starts with).
ACTION_AREAS: dict[str, Promise] = {
    "auth": _("登录与退出"),
    "user": _("用户与身份信息"),
    "role": _("角色授权"),
    "organisation": _("机构"),
    "platform_contact": _("联系电话"),
    "membership": _("单位关系"),
    "identity": _("密钥管理"),
    "audit": _("审计日志"),
    "hours.claim": _("学时申报"),
    "hours.review": _("学时审核"),
    "hours.ledger": _("学时记录"),
    "hours.certificate": _("学时证明"),
    "hours.report": _("统计报表"),
    "hours.export": _("导出任务"),
    "hours.integrity": _("诚信档案"),
    "hours.reminders": _("学时提醒"),
    "hours.year_rules": _("年度学时规则"),
    "learning.provider": _("公需课施教机构"),
    "learning.enrol": _("选课"),
    "learning.course": _("课程"),
    "learning.lesson": _("课时"),
    "learning.question": _("测验题目"),
    "learning.quiz": _("测验"),
    "learning.notice": _("通知公告"),
    "learning.premium": _("精品专业课"),
    "learning.quality": _("优质在线公需课"),
    "learning.digital": _("数字技术工程师培训"),
    "filings.filing": _("培训备案"),
    "filings.roster_import": _("名单与学时导入"),
    "filings.held_hours": _("待认领学时"),
}

ACTION_LABELS: dict[str, Promise] = {
    "auth.login": _("登录"),
    "auth.login_failed": _("登录失败"),
    "auth.logout": _("退出"),
    "auth.token_issue": _("获取 API 令牌"),
    "user.register": _("实名注册"),
    "user.profile_update": _("修改个人资料"),
    "user.id_number_view": _("查看完整身份证号码"),
    "user.disable": _("停用账号"),
    "user.enable": _("启用账号"),
    "role.grant": _("授予角色"),
    "role.revoke": _("撤销角色"),
    "organisation.create": _("新建机构"),
    "organisation.update": _("修改机构信息"),
    "platform_contact.save": _("保存联系电话"),
    "platform_contact.delete": _("删除联系电话"),
    "membership.request": _("申请加入单位"),
    "membership.confirm": _("确认单位关系"),
    "membership.reject": _("退回单位申请"),
    "membership.cancel": _("撤回单位申请"),
    "identity.key_rotation": _("轮换身份证号加密密钥"),
    "audit.export": _("导出审计日志"),
    "hours.claim.create": _("新建申报"),
    "hours.claim.update": _("修改申报"),
    "hours.claim.submit": _("提交申报"),
    "hours.claim.withdraw": _("撤回申报"),
    "hours.claim.evidence_add": _("上传证明材料"),
    "hours.claim.evidence_remove": _("删除证明材料"),
    "hours.claim.post_approved": _("记入审核通过的学时"),
    "hours.claim.revoke": _("撤销认定"),
    "hours.review.submit": _("提交审核"),
    "hours.review.approve": _("审核通过"),
    "hours.review.return": _("退回修改"),
    "hours.review.reject": _("不予通过"),
    "hours.review.withdraw": _("撤回申报"),
    "hours.review.revoke": _("撤销认定"),
    "hours.review.chain_set": _("设置审核流程"),
    "hours.ledger.credit": _("记入学时"),
    "hours.ledger.credit_bulk": _("批量记入学时"),
    "hours.ledger.reverse": _("冲正学时"),
    "hours.ledger.reverse_bulk": _("批量冲正学时"),
    "hours.certificate.issue": _("出具学时证明"),
    "hours.certificate.batch": _("批量下载学时证明"),
    "hours.report.compliance": _("导出完成情况统计表"),
    "hours.export.cancel": _("取消导出"),
    "hours.export.expire": _("删除过期导出文件"),
    "hours.integrity.record": _("记入诚信档案"),
    "hours.integrity.export": _("导出诚信档案"),
    "hours.reminders.send": _("发送学时提醒"),
    "hours.year_rules.create": _("新建年度规则"),
    "hours.year_rules.update": _("修改年度规则"),
    "hours.year_rules.copy": _("复制年度规则"),
    "learning.provider.choose": _("选择施教机构"),
    "learning.provider.change": _("更换施教机构"),
    "learning.enrol": _("报名课程"),
    "learning.course.create": _("新建课程"),
    "learning.course.update": _("修改课程"),
    "learning.course.publish": _("发布课程"),
    "learning.course.withdraw": _("下架课程"),
    "learning.course.complete": _("完成课程学习"),
    "learning.lesson.add": _("添加课时"),
    "learning.lesson.update": _("修改课时"),
    "learning.lesson.remove": _("删除课时"),
    "learning.lesson.reorder": _("调整课时顺序"),
    "learning.lesson.video_upload": _("上传课时视频"),
    "learning.question.add": _("添加测验题"),
    "learning.question.remove": _("删除测验题"),
    "learning.quiz.submit": _("提交测验"),
    "learning.notice.publish": _("发布通知"),
    "learning.notice.update": _("修改通知"),
    "learning.notice.attachment_add": _("添加通知附件"),
    "learning.notice.attachment_remove": _("删除通知附件"),
    "learning.premium.declare": _("申报精品专业课"),
    "learning.premium.submit": _("提交精品专业课"),
    "learning.premium.return": _("退回精品专业课"),
    "learning.premium.publish": _("发布精品专业课"),
    "learning.premium.enrol": _("报名精品专业课"),
    "learning.premium.self_study": _("设置自学课程"),
    "learning.premium.live_session_add": _("添加直播场次"),
    "learning.premium.live_session_remove": _("删除直播场次"),
    "learning.premium.attendance": _("记录出勤"),
    "learning.premium.attendance_import": _("导入出勤表"),
    "learning.premium.complete": _("完成精品专业课"),
    "learning.quality.declare": _("申报优质在线公需课"),
    "learning.quality.result": _("评审优质在线公需课"),
    "learning.digital.apply": _("报名数字技术工程师培训"),
    "learning.digital.cohort_create": _("新建培训班次"),
    "learning.digital.cohort_publish": _("发布培训班次"),
    "learning.digital.result": _("录入考核结果"),
    "filings.filing.file": _("提交培训备案"),
    "filings.filing.record": _("登记培训备案"),
    "filings.filing.approve": _("备案通过"),
    "filings.filing.return": _("退回备案"),
    "filings.filing.resubmit": _("重新提交备案"),
    "filings.filing.withdraw": _("撤回备案"),
    "filings.filing.attachment_add": _("补充备案附件"),
    "filings.roster_import.create": _("上传名单"),
    "filings.roster_import.start": _("开始导入"),
    "filings.roster_import.resume": _("继续导入"),
    "filings.roster_import.retry": _("重新导入"),
    "filings.roster_import.cancel": _("取消导入"),
    "filings.roster_import.finished": _("导入完成"),
    "filings.roster_import.failed": _("导入失败"),
    "filings.roster_import.cancelled": _("导入已取消"),
    "filings.held_hours.attach": _("认领注册前导入的学时"),
}

RESULT_LABELS: dict[str, Promise] = {
    "success": _("成功"),
    "failure": _("失败"),
    "finished": _("完成"),
    "failed": _("失败"),
    "cancelled": _("已取消"),
}


def action_area(code: str) -> str:
    """The longest area the code belongs to ("" for none)."""
    matches = [area for area in ACTION_AREAS if code == area or code.startswith(area + ".")]
    return max(matches, key=len, default="")


def action_label(code: str) -> str:
    """学时审核 · 审核通过 for hours.review.approve; an unknown code as it is (never hidden)."""
    label = ACTION_LABELS.get(code)
    if label is None:
        return code
    area = ACTION_AREAS.get(action_area(code))
    return f"{area} · {label}" if area is not None and str(area) != str(label) else str(label)


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def result_label(result: str) -> str:
    return str(RESULT_LABELS.get(result, result))


def object_label(object_type: str) -> str:
    """The kind of object (学时申报 for hours.claim): the model's own name."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
