from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.FilingListApi.as_view(), name="api_filings"),
    path("paper-units/", apis.PaperUnitListApi.as_view(), name="api_filing_paper_units"),
    path("<int:pk>/", apis.FilingDetailApi.as_view(), name="api_filing"),
    path("<int:pk>/approve/", apis.FilingApproveApi.as_view(), name="api_filing_approve"),
    path("<int:pk>/return/", apis.FilingReturnApi.as_view(), name="api_filing_return"),
    path("<int:pk>/withdraw/", apis.FilingWithdrawApi.as_view(), name="api_filing_withdraw"),
    path("<int:pk>/resubmit/", apis.FilingResubmitApi.as_view(), name="api_filing_resubmit"),
    path("<int:pk>/attachments/", apis.FilingAttachmentApi.as_view(), name="api_filing_attachments"),
    path("<int:pk>/imports/", apis.FilingImportListApi.as_view(), name="api_filing_imports"),
    path("channel-imports/", apis.ChannelImportListApi.as_view(), name="api_channel_imports"),
    path("imports/<int:pk>/", apis.ImportDetailApi.as_view(), name="api_import"),
    path("imports/<int:pk>/cancel/", apis.ImportCancelApi.as_view(), name="api_import_cancel"),
    path("imports/<int:pk>/retry/", apis.ImportRetryApi.as_view(), name="api_import_retry"),
    path("imports/<int:pk>/issues/", apis.ImportIssueListApi.as_view(), name="api_import_issues"),
    path("imports/<int:pk>/report/", apis.ImportReportApi.as_view(), name="api_import_report"),
]
