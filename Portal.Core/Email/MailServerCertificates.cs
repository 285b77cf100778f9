using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Core.Email;

/// <summary>How the portal trusts a mail server's certificate: SMTP for sending, IMAP for the forwarding intake.</summary>
internal static class MailServerCertificates
{
    /// <summary>
    /// Null: the system's trust store, as MailKit checks it. With a private CA: the usual
    /// checks pass, or the chain is built to that CA alone (no revocation list to ask) and
    /// the name must still match.
    /// </summary>
    public static RemoteCertificateValidationCallback? Check(string? authorityFile)
    {
        if (string.IsNullOrEmpty(authorityFile))
        {
            return null;
        }

        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(authorityFile));
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return chain.Build(leaf);
        };
    }
}
