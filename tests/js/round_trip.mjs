// Sends and receives messages with attributes of every type through the AWS
// SDK for JavaScript v3. Its SQS middleware computes the MD5 digests of
// bodies and message attributes in SendMessage, SendMessageBatch and
// ReceiveMessage responses and throws when one differs from sqslite's.
//
// Usage: node round_trip.mjs ENDPOINT_URL QUEUE_NAME
// Prints one JSON line with what it received; exits 1 on any error.
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";

const [endpoint, queueName] = process.argv.slice(2);
const client = new SQSClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
});

const attributes = {
  Text: { DataType: "String", StringValue: "héllo \"quoted\"\r\nline" },
  Count: { DataType: "Number.int", StringValue: "12345678901234567890" },
  Picture: { DataType: "Binary.gif", BinaryValue: Uint8Array.from([0, 1, 2, 255]) },
  Json: { DataType: "String.json", StringValue: '{"a": [1, 2]}' },
};

async function main() {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: queueName }));
  const sent = await client.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: "body with ünïcödé and \r\n line ends 🎉",
      MessageAttributes: attributes,
      MessageSystemAttributes: {
        AWSTraceHeader: {
          DataType: "String",
          StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
        },
      },
    }),
  );
  const batch = await client.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "one", MessageBody: "first", MessageAttributes: attributes },
        { Id: "two", MessageBody: "second" },
      ],
    }),
  );
  const received = [];
  for (let round = 0; round < 5 && received.length < 3; round += 1) {
    const response = await client.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: round % 2 === 0 ? ["All"] : ["Te.*", "Count"],
      }),
    );
    received.push(...(response.Messages ?? []));
  }
  console.log(
    JSON.stringify({
      sentMessageId: sent.MessageId,
      batchSuccessful: (batch.Successful ?? []).length,
      received: received.map((message) => ({
        body: message.Body,
        attributes: Object.keys(message.MessageAttributes ?? {}).sort(),
      })),
    }),
  );
}

main().catch((error) => {
  console.error(`${error.name}: ${error.message}`);
  process.exit(1);
});
