package dev.wan.internal.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * JSON trees read and written with jackson-core's streaming parser and generator, without an
 * {@code ObjectMapper}: building one loads some 300 classes and costs about a quarter of a second
 * of a short command's start-up (measured against {@code wan status}). Reads what
 * {@code ObjectMapper.readTree} reads (a duplicate key: the last one wins; jackson-core's default
 * limits on nesting depth, number and string length apply) and writes what its writer writes,
 * pretty-printed the same way.
 */
public final class JsonTree {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTree() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** The document in {@code bytes}; a missing node when they hold only white space. */
    public static JsonNode read(byte[] bytes) throws IOException {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            return read(p);
        }
    }

    /** As {@link #read(byte[])}, from a stream the caller closes. */
    public static JsonNode read(InputStream in) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            return read(p);
        }
    }

    private static JsonNode read(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        // Iterative, so a deep document meets the parser's depth limit, never the stack's.
        Deque<JsonNode> open = new ArrayDeque<>();
        String field = null;
        JsonNode root = null;
        for (; t != null; t = p.nextToken()) {
            JsonNode value;
            switch (t) {
                case FIELD_NAME -> {
                    field = p.currentName();
                    continue;
                }
                case START_OBJECT -> value = NODES.objectNode();
                case START_ARRAY -> value = NODES.arrayNode();
                case END_OBJECT, END_ARRAY -> {
                    open.pop();
                    if (open.isEmpty()) {
                        return root;
                    }
                    continue;
                }
                case VALUE_STRING -> value = NODES.textNode(p.getText());
                case VALUE_NUMBER_INT -> value = switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> value = NODES.numberNode(p.getDoubleValue());
                case VALUE_TRUE -> value = NODES.booleanNode(true);
                case VALUE_FALSE -> value = NODES.booleanNode(false);
                case VALUE_NULL -> value = NODES.nullNode();
                default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
            }
            JsonNode parent = open.peek();
            if (parent == null) {
                root = value;
            } else if (parent instanceof ObjectNode o) {
                o.set(field, value);
            } else {
                ((ArrayNode) parent).add(value);
            }
            if (value.isContainerNode()) {
                open.push(value);
            } else if (parent == null) {
                return root;
            }
        }
        throw new com.fasterxml.jackson.core.io.JsonEOFException(p, null, "unexpected end of JSON");
    }

    /** Pretty-printed UTF-8, as {@code ObjectMapper.writerWithDefaultPrettyPrinter()} writes it. */
    public static byte[] prettyBytes(JsonNode node) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            write(g, node);
        }
        return out.toByteArray();
    }

    /** Compact UTF-8, as {@code ObjectMapper.writeValueAsBytes} writes it. */
    public static byte[] compactBytes(JsonNode node) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, node);
        }
        return out.toByteArray();
    }

    /**
     * Text with {@code escapes} applied to every string (null: Jackson's own), pretty-printed or on
     * one line, straight into {@code out} (flushed, left open): a status of 10,000 files is
     * megabytes of JSON that need not be built as one string first.
     */
    public static void writeText(JsonNode node, CharacterEscapes escapes, java.io.Writer out, boolean pretty)
            throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            if (pretty) {
                g.useDefaultPrettyPrinter();
            }
            if (escapes != null) {
                g.setCharacterEscapes(escapes);
            }
            write(g, node);
        }
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : n) {
                    write(g, e);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL, MISSING -> g.writeNull();
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case DOUBLE -> g.writeNumber(n.doubleValue());
                    default -> g.writeNumber(n.decimalValue());
                }
            }
            case BINARY -> g.writeBinary(n.binaryValue());
            default -> throw new IllegalArgumentException("cannot write a " + n.getNodeType() + " node as JSON");
        }
    }
}
