using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Postgres
{
    /// <summary>
    /// Outlook .msg evidence is read now (decision 0035): files stored before were marked "not
    /// applicable" (0) and are queued (Pending, 1) so that the analysis job reads them too. Only
    /// evidence (Purpose 0) of kind OutlookMessage (4); a victim's own documents are never read.
    /// </summary>
    public partial class ReadOutlookMessages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE \"EvidenceFiles\" SET \"AnalysisState\" = 1, \"AnalysisAttempts\" = 0 WHERE \"Kind\" = 4 AND \"Purpose\" = 0 AND \"AnalysisState\" = 0;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // What was read stays read: the indicators found are the case's, whatever code runs.
        }
    }
}
