"""The service tiles of the hall's home page. A tile whose URL name does not resolve yet is shown as not open."""

from dataclasses import dataclass
from functools import lru_cache

from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tile:
    title: str
    description: str
    url_name: str
    icon: str  # one character shown in a round badge; emoji fonts are missing on many phones and PCs

    @property
    def url(self) -> str | None:
        return _url(self.url_name, get_script_prefix())


@lru_cache(maxsize=64)
def _url(url_name: str, _prefix: str) -> str | None:
    """The URLconf changes only on deploy: reverse each tile once per process (and script prefix)."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _forget_urls(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _url.cache_clear()


setting_changed.connect(_forget_urls, dispatch_uid="hall-tile-urls")


TILES = [
    Tile(_("家庭账户共济授权登记"), _("为近亲属开通个人账户共济"), "bindings:apply", "绑"),
    Tile(_("我的共济关系"), _("查看、撤回或解除共济绑定"), "bindings:mine", "关"),
    Tile(_("共济使用明细"), _("家人用了多少、在哪里用"), "ledger:usage", "明"),
    Tile(_("代缴居民医保"), _("用个人账户为家人缴费"), "ledger:premium", "缴"),
    Tile(_("政策查询"), _("各地共济政策与额度"), "policies:index", "策"),
    Tile(_("办事指南"), _("各渠道办理步骤与材料"), "policies:guide", "南"),
]
