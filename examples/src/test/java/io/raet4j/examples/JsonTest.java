package io.raet4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(30)
class JsonTest
{
    @Test
    @SuppressWarnings("unchecked")
    void shouldWriteOneLineThatParsesBack()
    {
        final String text = new Json()
            .put("n", 12)
            .put("d", 1.23456)
            .put("b", true)
            .put("s", "a \"quoted\"\\ line\nnext\u0001")
            .put("nan", Double.NaN)
            .beginArray("list")
            .beginObject(null).put("x", 1).endObject()
            .beginObject(null).beginObject("inner").endObject().endObject()
            .endArray()
            .toString();

        assertFalse(text.contains("\n"));
        final Map<String, Object> parsed = JsonParser.parseObject(text);
        assertEquals(12.0, parsed.get("n"));
        assertEquals(1.235, parsed.get("d"));
        assertEquals(Boolean.TRUE, parsed.get("b"));
        assertEquals("a \"quoted\"\\ line\nnext\u0001", parsed.get("s"));
        assertEquals(0.0, parsed.get("nan"));
        final List<Object> list = (List<Object>)parsed.get("list");
        assertEquals(2, list.size());
        assertEquals(1.0, ((Map<String, Object>)list.get(0)).get("x"));
    }

    @Test
    void shouldRefuseTextThatIsNotOneObject()
    {
        assertThrows(IllegalArgumentException.class, () -> JsonParser.parseObject("done: 5"));
        assertThrows(IllegalArgumentException.class, () -> JsonParser.parseObject("{\"a\":1} x"));
        assertThrows(IllegalArgumentException.class, () -> JsonParser.parseObject("{\"a\":}"));
    }
}
