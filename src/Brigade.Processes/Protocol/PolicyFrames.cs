using Brigade.Engines.Remote;

namespace Brigade.Processes.Protocol;

/// <summary>An <see cref="ItemPolicySpec"/> in a Prepare frame: timeout ticks (-1 for none), retries, delay and maximum
/// delay ticks, backoff, jitter.</summary>
internal static class PolicyFrames
{
    public static void Write(FrameBuffer buffer, ItemPolicySpec policy)
    {
        buffer.WriteInt64(policy.Timeout?.Ticks ?? -1);
        buffer.WriteInt32(policy.MaxRetries);
        buffer.WriteInt64(policy.Delay.Ticks);
        buffer.WriteInt64(policy.MaxDelay.Ticks);
        buffer.WriteByte((byte)policy.Backoff);
        buffer.WriteByte(policy.UseJitter ? (byte)1 : (byte)0);
    }

    public static ItemPolicySpec Read(ref PayloadReader reader)
    {
        var timeout = reader.ReadInt64();
        var retries = reader.ReadInt32();
        var delay = reader.ReadInt64();
        var maxDelay = reader.ReadInt64();
        var backoff = reader.ReadByte();
        var jitter = reader.ReadByte() != 0;
        if (timeout is 0 or < -1 || retries is < 0 or > 100 || delay < 0 || maxDelay <= 0 || backoff > (byte)RetryBackoff.Exponential)
        {
            throw new ProtocolException("Malformed payload: an item policy out of range.");
        }

        return new ItemPolicySpec(timeout < 0 ? null : TimeSpan.FromTicks(timeout), retries, TimeSpan.FromTicks(delay), TimeSpan.FromTicks(maxDelay), (RetryBackoff)backoff, jitter);
    }
}
