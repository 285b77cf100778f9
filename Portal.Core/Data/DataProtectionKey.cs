namespace Portal.Core.Data;

/// <summary>ASP.NET Core data-protection key XML, shared by every node through the database.</summary>
public sealed class DataProtectionKey
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public required string Xml { get; set; }
}
