namespace Portal.Web;

/// <summary>Marker for the one set of UI strings: Resources/SharedResource(.fi|.sv).resx.</summary>
public sealed class SharedResource;
