"""The office profile page (/kantor/<kab/kota>/): the letterhead, signatory and place of signing of the
Dinas Sosial's print-outs, with its logo. Staff of the kab/kota edit it; their read-only head reads it;
coordinators have no office page (403), other kab/kota's offices are out of scope (404).

The logo itself (/kantor/<kab/kota>/logo/) is for whoever prints that office's documents, coordinators
included (the member card): OfficeProfile.objects.visible_to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ipsm.lib.history import history_entries
from ipsm.lib.images import private_file_response
from ipsm.lib.query import is_region_code
from members import office
from members.access import require_perm
from members.models import KABKOTA_LEVELS, OfficeProfile, Region
from members.print_forms import OfficeProfileForm


def _kabkota(user, code: str) -> Region:
    if not is_region_code(code):
        raise Http404
    regions = Region.objects.visible_to(user).filter(level__in=KABKOTA_LEVELS)
    return get_object_or_404(regions, code=code)


@login_required
def office_profile(request, code):
    require_perm(request.user, "members.view_officeprofile")
    region = _kabkota(request.user, code)
    profile = OfficeProfile.objects.filter(region=region).first()
    can_edit = request.user.has_perm(
        "members.change_officeprofile" if profile else "members.add_officeprofile"
    )
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = None
    if can_edit:
        instance = profile or OfficeProfile(region=region, name=f"Dinas Sosial {region}")
        form = OfficeProfileForm(request.POST or None, request.FILES or None, instance=instance)
        if form.is_valid():
            office.save_office_profile(
                profile=form.save(commit=False),
                logo=form.cleaned_data["logo_upload"],
                remove_logo=form.cleaned_data.get("remove_logo", False),
                by=request.user,
            )
            messages.success(request, _("Office profile saved."))
            return redirect("members:office", code=region.code)
    context = {
        "region": region,
        "profile": profile,
        "form": form,
        "history": history_entries(profile, show_nik=False) if profile and can_edit else None,
    }
    return render(request, "members/office_profile.html", context)


@login_required
def office_logo(request, code):
    if not is_region_code(code):
        raise Http404
    profile = get_object_or_404(OfficeProfile.objects.visible_to(request.user), pk=code)
    if not profile.logo:
        raise Http404
    return private_file_response(profile.logo)
