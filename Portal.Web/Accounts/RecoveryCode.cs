namespace Portal.Web.Accounts;

/// <summary>
/// A recovery code as Identity issued it (upper case, "XXXXX-XXXXX") from what a member typed
/// off paper: lower case, spaces, or no dash at all are the same code.
/// </summary>
public static class RecoveryCode
{
    private const int HalfLength = 5;

    public static string AsIssued(string typed)
    {
        var characters = typed.Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToUpperInvariant).ToArray();
        var code = new string(characters);
        return code.Length == 2 * HalfLength ? $"{code[..HalfLength]}-{code[HalfLength..]}" : code;
    }
}
