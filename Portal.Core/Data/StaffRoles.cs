namespace Portal.Core.Data;

public static class StaffRoles
{
    public const string Volunteer = "Volunteer";
    public const string Supervisor = "Supervisor";
    public const string Counsellor = "Counsellor";
    public const string Police = "Police";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Volunteer, Supervisor, Counsellor, Police, Admin];
}
