"""The project's URLs with the single-agency audit pages included, for tests run before
paqa/audits/urls.py includes them itself (and unchanged once it does)."""

from django.urls import URLResolver, include, path

import paqa.urls
from paqa.audits import agency_views
from paqa.audits import urls as audits_urls
from paqa.audits.agency_urls import urlpatterns as agency_urlpatterns

_audits = list(audits_urls.urlpatterns)
_names = {getattr(pattern, "name", None) for pattern in _audits}
_audits += [pattern for pattern in agency_urlpatterns if pattern.name not in _names]
if "home" not in _names:
    # The service navigation links to audits:home; stand in for it until it is written.
    _audits.append(path("audits/", agency_views.agency_list, name="home"))

urlpatterns = [
    entry
    for entry in paqa.urls.urlpatterns
    if not (isinstance(entry, URLResolver) and entry.namespace == "audits")
]
urlpatterns.append(path("", include((_audits, "audits"))))

handler403 = paqa.urls.handler403
handler404 = paqa.urls.handler404
handler500 = paqa.urls.handler500
