using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.CaseFile;
using Portal.Core.Features.Notices;
using Portal.Web.Accounts;
using Portal.Web.Localization;

namespace Portal.Web.CaseFile;

public sealed record CaseFileLinksViewModel(IReadOnlyList<NoticeView> Deadlines);

/// <summary>The shared part of a victim's case file as a staff page shows it; <see cref="OpenFilesOfCase"/> offers the audited file opening (staff case view only).</summary>
public sealed record SharedCaseFilePanel(SharedCaseFileView Shared, Guid? OpenFilesOfCase = null);

/// <summary>
/// The case page's "your case file" section: the deadlines that concern the case and the way to
/// the diary, the documents and the download. A view component so the case page places it with
/// one line and its controller needs to know nothing of it.
/// </summary>
public sealed class CaseFileLinksViewComponent(CaseDeadlinesQuery deadlines) : ViewComponent
{
    public const string ViewPath = "~/Views/Status/_CaseFileLinks.cshtml";

    public async Task<IViewComponentResult> InvokeAsync()
    {
        var caseId = CaseSession.CaseId(UserClaimsPrincipal);
        var upcoming = caseId is null ? [] : await deadlines.HandleAsync(caseId.Value, LocalizationSetup.CurrentLanguage, HttpContext.RequestAborted);
        return View(ViewPath, new CaseFileLinksViewModel(upcoming));
    }
}
