package io.raet4j.reactive;

/**
 * What a {@link RecordSource} tells its publisher, from any thread (a duty cycle, a timer).
 */
interface SourceListener
{
    /** Told no-one: the state before a subscriber starts the source. */
    SourceListener NONE = new SourceListener()
    {
        public void onAvailable()
        {
        }

        public void onEnded()
        {
        }
    };

    /**
     * Items may be waiting: worth a drain if the subscriber has demand. Cheap when it has none.
     */
    void onAvailable();

    /**
     * The source ended ({@link RecordSource#isEnded()}): the stream ends once what is waiting is handed over, whatever
     * the demand.
     */
    void onEnded();
}
