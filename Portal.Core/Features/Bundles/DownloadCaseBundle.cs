using System.Runtime.ExceptionServices;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Bundles;

/// <summary>
/// A staff member downloads a case's bundle: whether they may (a refusal is recorded as a denial,
/// and looks like an unknown case), an integrity failure (recorded and reported to supervisors
/// before the refusal), or the download itself (recorded before the first byte). Evidence that
/// fails its check while streaming is recorded and reported before the caller cuts the download.
/// </summary>
public sealed class DownloadCaseBundleHandler(CaseBundleAccess access, BuildCaseBundleHandler bundles, EvidenceIntegrityAlert alert, AuditTrail audit)
{
    public async Task<CaseBundleResult> PrepareAsync(Guid caseId, BundleRequester requester, StaffActor downloader, string alertLanguage, CancellationToken cancellationToken)
    {
        var result = await access.MayDownloadAsync(caseId, requester, cancellationToken)
            ? await bundles.HandleAsync(caseId, cancellationToken)
            : new CaseBundleResult.NotFound();
        switch (result)
        {
            case CaseBundleResult.NotFound:
                await audit.AppendAsync(downloader.Event(AuditActions.AccessDenied, subject: caseId.ToString(), detail: "bundle"), cancellationToken);
                break;
            case CaseBundleResult.Blocked blocked:
                await alert.RaiseAsync(new EvidenceIntegrityFailure(caseId, blocked.Reference, blocked.File.Id, blocked.Problem, downloader.Event(AuditActions.EvidenceTampered, caseId)), alertLanguage, cancellationToken);
                break;
            case CaseBundleResult.Ready ready:
                await audit.AppendAsync(downloader.Event(AuditActions.BundleDownloaded, caseId, ready.FileName), cancellationToken);
                return ready with { WriteToAsync = (output, token) => WriteAlertingAsync(caseId, ready, downloader, alertLanguage, output, token) };
        }

        return result;
    }

    private async Task WriteAlertingAsync(Guid caseId, CaseBundleResult.Ready ready, StaffActor downloader, string alertLanguage, Stream output, CancellationToken cancellationToken)
    {
        try
        {
            await ready.WriteToAsync(output, cancellationToken);
        }
        catch (EvidenceIntegrityException failure)
        {
            // Not the download's token: the record must be written even if the client went away.
            await alert.RaiseAsync(
                new EvidenceIntegrityFailure(caseId, ready.Reference, failure.File.Id, failure.Problem, downloader.Event(AuditActions.EvidenceTampered, caseId)),
                alertLanguage,
                CancellationToken.None);
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
