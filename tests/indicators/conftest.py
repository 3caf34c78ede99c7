import pytest

from paqa.core.models import Area
from paqa.indicators.models import Population
from paqa.indicators.services import indicator_pack_load


@pytest.fixture
def areas(db):
    england = Area.objects.create(code="E92000001", name="England", kind=Area.Kind.COUNTRY)
    region = Area.objects.create(
        code="E12000008", name="South East", kind=Area.Kind.REGION, parent=england
    )
    home = Area.objects.create(
        code="E10000025", name="Oxfordshire", kind=Area.Kind.LOCAL_AUTHORITY, parent=region
    )
    return {"home": home, "region": region, "england": england}


@pytest.fixture
def pack(cast, areas):
    """The core indicator pack, loaded for the test partnership, whose home is Oxfordshire."""
    cast.partnership.home_area = areas["home"]
    cast.partnership.save()
    indicator_pack_load(partnership=cast.partnership)
    Population.objects.create(area=areas["home"], year=2017, age_band="0-17", value=143_400)
    return cast
