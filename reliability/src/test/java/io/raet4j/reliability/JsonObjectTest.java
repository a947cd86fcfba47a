package io.raet4j.reliability;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonObjectTest
{
    @Test
    void shouldReadTheResultLineOfSend()
    {
        final JsonObject json = JsonObject.parse("{\"sent\":300,\"delivered\":300,\"failed\":0,\"bytes\":30000," +
            "\"seconds\":0.044,\"msgsPerSec\":6827.025,\"backPressured\":0,\"estateId\":\"3191823301358521929\"}");

        assertEquals(300L, json.getLong("delivered"));
        assertEquals(0.044, json.getDouble("seconds"));
        assertEquals("3191823301358521929", json.getString("estateId"));
        assertEquals(Long.class, json.get("sent").getClass());
        assertEquals(Double.class, json.get("msgsPerSec").getClass());
    }

    @Test
    void shouldReadNestedValuesEscapesAndLiterals()
    {
        final JsonObject json = JsonObject.parse(
            " {\"a\":{\"b\":[1,-2.5e1,\"x\"]},\"s\":\"q\\\"\\\\\\n\\u0041\",\"t\":true,\"n\":null} ");

        assertEquals(List.of(1L, -25.0, "x"), ((JsonObject)json.get("a")).get("b"));
        assertEquals("q\"\\\nA", json.getString("s"));
        assertEquals(Boolean.TRUE, json.get("t"));
        assertTrue(json.has("n"));
        assertNull(json.get("n"));
    }

    @Test
    void shouldReadWhatTheWriterWrites()
    {
        final String text = new JsonWriter().put("n", 7).put("d", 1.23456).put("s", "a\"b\tc").put("b", false)
            .toString();

        final JsonObject json = JsonObject.parse(text);

        assertEquals(7L, json.getLong("n"));
        assertEquals(1.235, json.getDouble("d"));
        assertEquals("a\"b\tc", json.getString("s"));
        assertEquals(Boolean.FALSE, json.get("b"));
    }

    @Test
    void shouldRefuseWhatIsNotExactlyOneObject()
    {
        assertThrows(IllegalArgumentException.class, () -> JsonObject.parse("sent 300, delivered 300"));
        assertThrows(IllegalArgumentException.class, () -> JsonObject.parse("{\"a\":1} x"));
        assertThrows(IllegalArgumentException.class, () -> JsonObject.parse("{\"a\":1,\"a\":2}"));
        assertThrows(IllegalArgumentException.class, () -> JsonObject.parse("{\"a\":}"));
        assertThrows(IllegalArgumentException.class, () -> JsonObject.parse("{\"a\":\"open}"));
        assertThrows(IllegalArgumentException.class, () -> JsonObject.parse("[1]"));
    }

    @Test
    void shouldRefuseToReadAStringAsANumber()
    {
        final JsonObject json = JsonObject.parse("{\"id\":\"12\",\"x\":1.5}");

        assertThrows(IllegalArgumentException.class, () -> json.getLong("id"));
        assertThrows(IllegalArgumentException.class, () -> json.getLong("x"));
        assertThrows(IllegalArgumentException.class, () -> json.getLong("absent"));
    }
}
