"""The IPSM's legality (members/legality_urls.py): a kab/kota's legality page and its exports, the SK files
(uploaded here, served only after an access check), a board's SK, and the SK status on the unit and member
pages. What makes an SK valid is members.legality's."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from ipsm.lib.documents import clean_document
from ipsm.lib.exports import Column, Export, export_response
from ipsm.lib.forms import add_error_messages
from ipsm.lib.images import private_file_response
from ipsm.lib.query import PAGE
from members import legality
from members.access import get_for_user, scope_of
from members.forms import DateInput
from members.models import KABKOTA_LEVELS, BoardDecree, BoardPosition, Member, Region, Unit

VIEW = "members.view_boarddecree"  # the legality of the IPSM: read by whoever reads the registry
PER_PAGE = 50
MEMBERS, UNITS, BOARDS, AGES = "psm", "unit", "pengurus", "usia"
LISTS = {
    MEMBERS: gettext_lazy("Active PSM without a valid SK"),
    UNITS: gettext_lazy("Units without SK"),
    BOARDS: gettext_lazy("Boards lapsed or without SK"),
    AGES: gettext_lazy("Age profile (regeneration)"),
}


def _document_field(required: bool = True) -> forms.FileField:
    return forms.FileField(
        label=gettext_lazy("SK file"),
        required=required,
        help_text=gettext_lazy("A PDF or a photo of the signed SK (JPEG, PNG or WebP)."),
    )


def _clean_upload(file):
    """The upload cleaned (ipsm.lib.documents), or a form error saying what is wrong with it."""
    if not file:
        return None
    return clean_document(file, max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES)


class SkFileForm(forms.Form):
    """The scanned SK of a unit or a member."""

    document = _document_field()

    def clean_document(self):
        return _clean_upload(self.cleaned_data["document"])


class BoardDecreeForm(forms.Form):
    """A board's SK and the current seats it appoints."""

    number = forms.CharField(label=gettext_lazy("SK number"), max_length=100)
    issued_on = forms.DateField(label=gettext_lazy("SK date"), widget=DateInput())
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=150)
    positions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Board positions it appoints"),
        queryset=BoardPosition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("Elected at (musyawarah)"), queryset=None, required=False
    )
    document = _document_field(required=False)

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        seats = unit.board.current().select_related("member").order_by("role", "member__full_name")
        self.fields["positions"].queryset = seats
        self.fields["positions"].label_from_instance = lambda p: (
            f"{p.get_role_display()}: {p.member.full_name}"
        )
        self.fields["positions"].initial = [p.pk for p in seats if p.decree_id is None]
        self.fields["meeting"].queryset = legality.musyawarah_choices(unit)
        self.fields["issued_on"].initial = timezone.localdate()

    def clean_issued_on(self):
        day = self.cleaned_data["issued_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    def clean_document(self):
        return _clean_upload(self.cleaned_data.get("document"))


# --- A kab/kota's legality page ---------------------------------------------------------------------------


def _kabkota_for(user, code: str) -> Region:
    """The kab/kota of the page: staff and viewers of it (and superusers); coordinators 403; outside 404."""
    scope = scope_of(user)
    if not user.has_perm(VIEW) or not (scope.everything or scope.region_code):
        raise PermissionDenied
    if "\x00" in code:
        raise Http404
    regions = Region.objects.visible_to(user).filter(level__in=KABKOTA_LEVELS)
    return get_object_or_404(regions, code=code)


def _rows(region: Region, name: str, day):
    if name == MEMBERS:
        return legality.members_without_valid_sk(Member.objects.within(region.code), day)
    units = Unit.objects.within(region.code)
    if name == UNITS:
        return legality.units_without_sk(units)
    if name == BOARDS:
        return legality.units_with_board_problems(units, day)
    rows, total = legality.age_profile(region, day)
    return [*rows, total]


@login_required
def region_legality(request, code):
    """Active PSM without a valid SK, units without SK, boards lapsed or without SK, the age profile: one
    list at a time (?daftar=), each paginated, with the counts of all four."""
    region = _kabkota_for(request.user, code)
    day = timezone.localdate()
    shown = request.GET.get("daftar", MEMBERS)
    if shown not in LISTS:
        shown = MEMBERS
    rows = _rows(region, shown, day)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get(PAGE))
    if shown == MEMBERS:
        for member in page:
            member.sk_status = legality.member_sk_status(member, day)
    context = {
        "region": region,
        "today": day,
        "counts": legality.legality_counts(region, day),
        "lists": LISTS,
        "shown": shown,
        "page": page,
        "old_age": legality.OLD_AGE,
    }
    return render(request, "members/legality/region.html", context)


def _export(region: Region, name: str, day) -> Export:
    def status_label(member) -> str:
        labels = {legality.SK_MISSING: _("missing"), legality.SK_EXPIRED: _("expired")}
        return labels.get(legality.member_sk_status(member, day), "")

    def kecamatan(unit) -> str:
        return unit.region.parent.name if unit.region.parent else ""

    if name == MEMBERS:
        columns = [
            Column(_("KTA number"), lambda m: m.kta_number, 17),
            Column(_("Name"), lambda m: m.full_name, 28),
            Column(_("IPSM unit"), lambda m: m.unit.region.name, 20),
            Column(_("Kecamatan"), lambda m: kecamatan(m.unit), 18),
            Column(_("SK penetapan"), lambda m: m.sk_number, 18),
            Column(_("SK penetapan date"), lambda m: m.sk_date, 12),
            Column(_("SK valid until"), lambda m: m.sk_valid_until, 12),
            Column(_("SK status"), status_label, 12),
        ]
    elif name in (UNITS, BOARDS):
        columns = [
            Column(_("Unit region code"), lambda u: u.region_id, 15),
            Column(_("IPSM unit"), lambda u: u.region.name, 24),
            Column(_("Kecamatan"), kecamatan, 18),
            Column(_("SK pembentukan"), lambda u: u.sk_number, 18),
            Column(_("SK pembentukan date"), lambda u: u.sk_date, 12),
        ]
        if name == BOARDS:
            columns += [
                Column(_("Board lapsed"), lambda u: _("yes") if u.board_lapsed else _("no"), 10),
                Column(_("Board without SK"), lambda u: _("yes") if u.board_without_sk else _("no"), 10),
            ]
    else:
        bands = legality.AGE_BANDS
        columns = [Column(_("Region"), lambda r: r.name, 24)]
        columns += [
            Column(_("Members %(band)s") % {"band": label}, lambda r, i=i: r.members[i], 10)
            for i, (_low, label) in enumerate(bands)
        ]
        columns += [
            Column(_("Members"), lambda r: r.member_total, 10),
            Column(_("Members over 60 (%)"), lambda r: r.member_old_share, 10),
        ]
        columns += [
            Column(_("Board %(band)s") % {"band": label}, lambda r, i=i: r.board[i], 10)
            for i, (_low, label) in enumerate(bands)
        ]
        columns += [
            Column(_("Board seats"), lambda r: r.board_total, 10),
            Column(_("Board over 60 (%)"), lambda r: r.board_old_share, 10),
        ]
    return Export(
        list_name="legality",  # which of the four: filters["daftar"]
        file_stem=f"legalitas-{name}-{region.code}",
        columns=columns,
        rows=_rows(region, name, day),
        filters={"wilayah": region.code, "daftar": name},
        sheet_title=LISTS[name],
    )


@require_GET
@login_required
def region_legality_export(request, code, daftar, fmt):
    region = _kabkota_for(request.user, code)
    if daftar not in LISTS:
        raise Http404
    return export_response(_export(region, daftar, timezone.localdate()), user=request.user, file_format=fmt)


# --- SK files ---------------------------------------------------------------------------------------------


def _upload_page(request, *, obj, form, store, back: str, title: str):
    if request.method == "POST" and form.is_valid():
        store(form.cleaned_data["document"])
        messages.success(request, _("SK file saved."))
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "object": obj, "back": back, "title": title}
    return render(request, "members/legality/sk_upload.html", context, status=status)


@login_required
def unit_sk_upload(request, pk):
    """Unggah SK: the scanned SK pembentukan of a unit (by whoever may edit the unit)."""
    unit = get_for_user(
        Unit.objects.select_related("region"), request.user, pk=pk, perm="members.change_unit"
    )
    form = SkFileForm(request.POST or None, request.FILES or None)
    return _upload_page(
        request,
        obj=unit,
        form=form,
        store=lambda document: legality.set_unit_sk_file(unit=unit, document=document, by=request.user),
        back=f"{unit_url(unit)}#legality",
        title=_("Upload the SK pembentukan"),
    )


@login_required
def member_sk_upload(request, pk):
    """Unggah SK: the scanned SK penetapan of a member (by whoever may edit the member)."""
    member = get_for_user(Member.objects.all(), request.user, pk=pk, perm="members.change_member")
    form = SkFileForm(request.POST or None, request.FILES or None)
    return _upload_page(
        request,
        obj=member,
        form=form,
        store=lambda document: legality.set_member_sk_file(member=member, document=document, by=request.user),
        back=f"{member_url(member)}#legality",
        title=_("Upload the SK penetapan"),
    )


def unit_url(unit: Unit) -> str:
    return reverse("members:unit_detail", args=[unit.pk])


def member_url(member: Member) -> str:
    return reverse("members:detail", args=[member.pk])


@require_GET
@login_required
def unit_sk_file(request, pk):
    unit = get_for_user(Unit.objects.all(), request.user, pk=pk, perm="members.view_unit")
    if not unit.sk_file:
        raise Http404
    return private_file_response(unit.sk_file)


@require_GET
@login_required
def member_sk_file(request, pk):
    member = get_for_user(Member.objects.all(), request.user, pk=pk, perm="members.view_member")
    if not member.sk_file:
        raise Http404
    return private_file_response(member.sk_file)


# --- A board's SK -----------------------------------------------------------------------------------------


@login_required
def decree_add(request, pk):
    """Record the SK of a unit's board and the current seats it appoints (staff; a coordinator for theirs)."""
    unit = get_for_user(
        Unit.objects.select_related("region"), request.user, pk=pk, perm="members.add_boarddecree"
    )
    form = BoardDecreeForm(request.POST or None, request.FILES or None, unit=unit)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                legality.record_board_decree(
                    unit=unit,
                    number=data["number"],
                    issued_on=data["issued_on"],
                    issuer=data["issuer"],
                    positions=list(data["positions"]),
                    meeting=data["meeting"],
                    document=data["document"],
                    by=request.user,
                )
            except ValidationError as error:
                add_error_messages(request, error)
            else:
                messages.success(request, _("Board SK saved."))
                return redirect(f"{unit_url(unit)}#legality")
    return render(request, "members/legality/decree_form.html", {"form": form, "unit": unit}, status=status)


@require_GET
@login_required
def decree_file(request, pk):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    decrees = BoardDecree.objects.filter(unit__in=Unit.objects.visible_to(request.user))
    decree = get_object_or_404(decrees, pk=pk)
    if not decree.file:
        raise Http404
    return private_file_response(decree.file)


# --- Panels on the unit and member pages -----------------------------------------------------------------

DECREES_SHOWN = 5


def unit_panel(request, unit) -> dict | None:
    """The unit's SK pembentukan and its board's SK status; two queries."""
    user = request.user
    if not user.has_perm(VIEW):
        return None
    day = timezone.localdate()
    return {
        "template": "members/legality/_unit_panel.html",
        "context": {
            "unit": unit,
            "has_sk": legality.unit_has_sk(unit),
            "board_state": legality.board_state(unit, day),
            "decrees": list(unit.decrees.order_by("-issued_on", "-pk")[:DECREES_SHOWN]),
            "may_upload": user.has_perm("members.change_unit"),
            "may_add_decree": user.has_perm("members.add_boarddecree"),
        },
    }


def member_panel(request, member) -> dict | None:
    """The member's SK penetapan: valid, missing or expired; no query."""
    if not request.user.has_perm(VIEW):
        return None
    return {
        "template": "members/legality/_member_panel.html",
        "context": {
            "member": member,
            "sk_status": legality.member_sk_status(member, timezone.localdate()),
            "may_upload": request.user.has_perm("members.change_member"),
        },
    }
