Imports System.Threading

' Usage: Brigade.Doctor.VisualBasic   (prints "ready" once a thread waits on a flow stuck behind another; exits when stdin closes)
Module Program
    Private ReadOnly Gate As New SemaphoreSlim(1, 1)
    Private ReadOnly Approval As New TaskCompletionSource(Of Boolean)()
    Private ReadOnly SlotTaken As New ManualResetEventSlim()

    Async Function HoldAsync() As Task
        Await Gate.WaitAsync()
        Try
            SlotTaken.Set()
            Await Approval.Task
        Finally
            Gate.Release()
        End Try
    End Function

    Async Function LoadAsync(name As String) As Task(Of Integer)
        Await Task.Yield()
        Await Gate.WaitAsync()
        Try
            Return name.Length
        Finally
            Gate.Release()
        End Try
    End Function

    Function Main() As Integer
        Dim holder = HoldAsync()
        SlotTaken.Wait()
        Dim waiter As New Thread(Sub() LoadAsync("orders").GetAwaiter().GetResult()) With {.IsBackground = True, .Name = "vb-waiter"}
        waiter.Start()
        Do Until (waiter.ThreadState And ThreadState.WaitSleepJoin) <> 0
            Thread.Sleep(5)
        Loop

        Thread.Sleep(300)
        Console.WriteLine("ready")
        Console.Out.Flush()
        Console.In.ReadToEnd()
        GC.KeepAlive(holder)
        Return 0
    End Function
End Module
