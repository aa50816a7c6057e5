namespace Brigade.Auto;

/// <summary>An internal hook that receives auto mode's intermediate judgements (windows, decisions), for experiments and tests.</summary>
internal static class AutoTrace
{
    /// <summary>Gets or sets the receiver; null (the default) costs one null check per judgement.</summary>
    public static Action<string>? Write { get; set; }
}
