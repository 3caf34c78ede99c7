from django.urls import URLPattern, path

from paqa.surveys import impact_views

urlpatterns: list[URLPattern] = [
    path("surveys/<int:pk>/impact/", impact_views.rate, name="impact-rate"),
    path("surveys/<int:pk>/impact/invite/", impact_views.invite, name="impact-invite"),
    path("surveys/<int:pk>/impact/remind/", impact_views.remind, name="impact-remind"),
    path("surveys/<int:pk>/impact/return/", impact_views.return_choose, name="impact-return"),
    path(
        "surveys/<int:pk>/impact/return/<int:org_pk>/",
        impact_views.return_resume,
        name="impact-return-organisation",
    ),
    path(
        "surveys/<int:pk>/impact/return/<int:org_pk>/check/",
        impact_views.return_check,
        name="impact-return-check",
    ),
    path(
        "surveys/<int:pk>/impact/return/<int:org_pk>/sent/",
        impact_views.return_view,
        name="impact-return-view",
    ),
    path(
        "surveys/<int:pk>/impact/return/<int:org_pk>/<int:number>/",
        impact_views.return_page,
        name="impact-return-page",
    ),
]
