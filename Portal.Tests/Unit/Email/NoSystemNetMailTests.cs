using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Portal.Core.Email;
using Portal.Web.Jobs;

namespace Portal.Tests.Unit.Email;

/// <summary>Mail goes through MailKit and addresses are read by MimeKit (docs/decisions/0022): System.Net.Mail is gone from the portal's code.</summary>
public sealed class NoSystemNetMailTests
{
    public static TheoryData<string> PortalAssemblies => new()
    {
        typeof(PlainEmailAddress).Assembly.Location,
        typeof(JobsSetup).Assembly.Location,
    };

    [Theory]
    [MemberData(nameof(PortalAssemblies))]
    public void PortalAssembly_ReferencesNoTypeFromSystemNetMail(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();

        var namespaces = metadata.TypeReferences
            .Select(handle => metadata.GetTypeReference(handle))
            .Select(type => metadata.GetString(type.Namespace))
            .Distinct()
            .ToList();

        Assert.Contains("System", namespaces);
        Assert.DoesNotContain(namespaces, n => n == "System.Net.Mail" || n.StartsWith("System.Net.Mail.", StringComparison.Ordinal));
    }
}
