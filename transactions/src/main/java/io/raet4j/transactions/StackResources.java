package io.raet4j.transactions;

import io.raet4j.transport.Context;
import io.raet4j.transport.media.CompositeMedia;
import io.raet4j.transport.media.Media;
import io.raet4j.transport.media.MediaProvider;
import io.raet4j.transport.status.EstateCounterDescriptor;
import io.raet4j.transport.status.StatusFile;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What a {@link Stack} opens when it launches and gives back when it closes: the size of its status file, the name
 * it is listed under, its media, and its temporary keep.
 */
final class StackResources
{
    private StackResources()
    {
    }

    static int countersCapacity(final StackContext ctx)
    {
        return TransportCounterDescriptor.values().length + StackCounterDescriptor.values().length +
            ctx.estateCountersMax() * EstateCounterDescriptor.values().length + ctx.layerCountersMax();
    }

    static String statusName(final String name)
    {
        String result = name;
        while (result.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > StatusFile.MAX_STACK_NAME_LENGTH)
        {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }

    static Media openMedia(final Context ctx, final ErrorHandler errorHandler)
    {
        final Media primary = MediaProvider.openFor(
            ctx.bindAddress(), ctx.mtuBytes(), ctx.socketReceiveBufferBytes(), ctx.socketSendBufferBytes(),
            errorHandler);
        if (null == ctx.laneAddress())
        {
            return primary;
        }
        try
        {
            return CompositeMedia.of(primary, MediaProvider.openFor(
                ctx.laneAddress(), ctx.mtuBytes(), ctx.socketReceiveBufferBytes(), ctx.socketSendBufferBytes(),
                errorHandler));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(primary);
            throw ex;
        }
    }

    static void deleteQuietly(final Path dir)
    {
        if (null == dir)
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ignore)
        {
            // A temporary keep left behind holds no secret worth more than a crash would leave.
        }
    }
}
