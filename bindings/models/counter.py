"""The offline counter's own record: queue tickets (排队号)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import InsuredPerson

from .binding import Application


class CounterTicket(models.Model):
    """A queue ticket at an offline counter (医保经办窗口): numbered per counter region and day."""

    city_code = models.CharField(_("统筹区"), max_length=6)
    day = models.DateField(_("日期"))
    number = models.PositiveIntegerField(_("序号"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(InsuredPerson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("窗口排队号")
        verbose_name_plural = _("窗口排队号")
        constraints = [models.UniqueConstraint(fields=["city_code", "day", "number"], name="ticket_number_per_day")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return f"A{self.number:03d}"
