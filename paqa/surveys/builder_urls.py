from django.urls import URLPattern, path

from paqa.surveys import builder_views

urlpatterns: list[URLPattern] = [
    path("surveys/new/", builder_views.survey_create, name="create"),
    path("surveys/<int:pk>/manage/", builder_views.manage, name="manage"),
    path("surveys/<int:pk>/manage/details/", builder_views.details, name="manage-details"),
    path("surveys/<int:pk>/manage/schedule/", builder_views.schedule, name="manage-schedule"),
    path("surveys/<int:pk>/manage/reopen/", builder_views.reopen, name="manage-reopen"),
    path("surveys/<int:pk>/manage/<str:step>/", builder_views.lifecycle, name="manage-lifecycle"),
    path("surveys/<int:pk>/manage/pages/new/", builder_views.page_edit, name="page-new"),
    path("surveys/<int:pk>/manage/pages/<int:page_pk>/", builder_views.page_edit, name="page-edit"),
    path(
        "surveys/<int:pk>/manage/pages/<int:page_pk>/questions/new/",
        builder_views.question_edit,
        name="question-new",
    ),
    path(
        "surveys/<int:pk>/manage/questions/<int:question_pk>/",
        builder_views.question_edit,
        name="question-edit",
    ),
    path(
        "surveys/<int:pk>/manage/<str:what>/<int:item_pk>/move/",
        builder_views.move,
        name="manage-move",
    ),
    path(
        "surveys/<int:pk>/manage/<str:what>/<int:item_pk>/remove/",
        builder_views.remove,
        name="manage-remove",
    ),
    path("surveys/<int:pk>/preview/", builder_views.preview, name="preview"),
    path("surveys/<int:pk>/preview/phone/", builder_views.preview_phone, name="preview-phone"),
]
