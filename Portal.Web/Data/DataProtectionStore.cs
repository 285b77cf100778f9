using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Portal.Core.Crypto;
using Portal.Core.Data;

namespace Portal.Web.Data;

/// <summary>Data-protection key ring in the DataProtectionKeys table.</summary>
internal sealed class DatabaseXmlRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return db.DataProtectionKeys.Select(k => k.Xml).ToList().Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}

/// <summary>Seals each data-protection key with the portal's master key envelope.</summary>
internal sealed class MasterKeyXmlEncryptor(EnvelopeCipher cipher) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var sealedKey = cipher.Seal(Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)));
        var element = new XElement("sealedKey", Convert.ToBase64String(sealedKey));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Created by the data-protection system by type name, hence the service-provider constructor.</summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var cipher = services.GetRequiredService<EnvelopeCipher>();
        var plaintext = cipher.Open(Convert.FromBase64String(encryptedElement.Value));
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
