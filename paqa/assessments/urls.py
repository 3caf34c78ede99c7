from django.urls import path

from paqa.assessments import views

app_name = "assessments"

urlpatterns = [
    path("self-assessment/", views.home, name="home"),
    path("self-assessment/cycles/new/", views.cycle_create, name="cycle-create"),
    path("self-assessment/cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path(
        "self-assessment/cycles/<int:pk>/year-on-year/",
        views.cycle_year_on_year,
        name="year-on-year",
    ),
    path(
        "self-assessment/cycles/<int:pk>/action-plan/", views.cycle_action_plan, name="action-plan"
    ),
    path("self-assessment/cycles/<int:pk>/reminders/", views.cycle_reminders, name="reminders"),
    path("self-assessment/returns/<int:pk>/", views.return_detail, name="return"),
    path("self-assessment/returns/<int:pk>/sign-off/", views.return_sign_off, name="sign-off"),
    path("self-assessment/returns/<int:pk>/check/", views.return_check, name="check"),
    path("self-assessment/returns/<int:pk>/submit/", views.return_submit, name="submit"),
    path("self-assessment/returns/<int:pk>/submitted/", views.return_submitted, name="submitted"),
    path("self-assessment/returns/<int:pk>/accept/", views.return_accept, name="accept"),
    path("self-assessment/returns/<int:pk>/extend/", views.return_extend, name="extend"),
    path("self-assessment/returns/<int:pk>/pdf/", views.return_pdf, name="pdf"),
    path(
        "self-assessment/returns/<int:pk>/standards/<int:number>/", views.answer_edit, name="answer"
    ),
    path(
        "self-assessment/returns/<int:pk>/standards/<int:number>/challenge/",
        views.answer_challenge,
        name="challenge",
    ),
    path(
        "self-assessment/returns/<int:pk>/standards/<int:number>/respond/",
        views.answer_respond,
        name="respond",
    ),
    path(
        "self-assessment/returns/<int:pk>/standards/<int:number>/attachments/",
        views.attachment_upload,
        name="attachment-upload",
    ),
    path(
        "self-assessment/returns/<int:pk>/standards/<int:number>/actions/",
        views.action_add,
        name="action-add",
    ),
    path("self-assessment/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path(
        "self-assessment/attachments/<int:pk>/remove/",
        views.attachment_remove,
        name="attachment-remove",
    ),
]
