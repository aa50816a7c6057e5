namespace Brigade.Diagnostics;

/// <summary>A scheduler that takes control before each access to a tracked variable (systematic exploration).</summary>
internal interface ITrackedAccessScheduler
{
    /// <summary>Before an access to <paramref name="variable"/> (a scheduling point); on the accessing thread.</summary>
    void OnAccess(string variable, AccessKind kind);
}
