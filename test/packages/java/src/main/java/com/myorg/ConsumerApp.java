package com.myorg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdkcodeartifacttoken.CodeArtifactAuthorizationToken;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/**
 * A CDK app as Java users write one: an ECS task role that reads an 8-hour token. It synthesizes, then
 * reads the template JSON from the cloud assembly and checks what the construct must have put there.
 */
public final class ConsumerApp {
    private static int passed;
    private static int failed;

    private static void check(boolean ok, String name, Object got) {
        if (ok) {
            passed++;
            System.out.println("ok - " + name);
        } else {
            failed++;
            System.out.println("FAIL - " + name + " (got " + got + ")");
        }
    }

    public static void main(final String[] args) throws Exception {
        App app = new App();
        Stack stack = new Stack(app, "Consumer", StackProps.builder()
                .env(Environment.builder().account("111122223333").region("eu-west-1").build())
                .build());

        CodeArtifactAuthorizationToken token = CodeArtifactAuthorizationToken.Builder.create(stack, "Token")
                .domain("my-domain")
                .tokenDuration(Duration.hours(8))
                .build();
        Role taskRole = Role.Builder.create(stack, "TaskRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .build();
        token.grantRead(taskRole);

        CloudAssembly assembly = app.synth();

        // Jackson comes with the jsii runtime the jar depends on.
        JsonNode resources = new ObjectMapper()
                .readTree(new File(assembly.getStackArtifact("Consumer").getTemplateFullPath()))
                .get("Resources");
        String secretId = stack.getLogicalId((CfnElement) token.getSecret().getNode().getDefaultChild());
        String roleId = stack.getLogicalId((CfnElement) taskRole.getNode().getDefaultChild());

        List<JsonNode> issuers = ofType(resources, "Custom::CodeArtifactAuthorizationToken");
        check(issuers.size() == 1 && issuers.get(0).at("/Properties/DurationSeconds").asText().equals("28800"),
                "the custom resource issues 8-hour tokens (DurationSeconds 28800)", issuers);

        List<JsonNode> schedules = ofType(resources, "AWS::SecretsManager::RotationSchedule");
        check(schedules.size() == 1
                && schedules.get(0).at("/Properties/RotationRules/ScheduleExpression").asText().equals("rate(4 hours)")
                && token.getRotationInterval().toHours().intValue() == 4,
                "8-hour tokens rotate every 4 hours (rate(4 hours))", schedules);

        List<JsonNode> functions = ofType(resources, "AWS::Lambda::Function");
        check(functions.size() == 1, "exactly one Lambda function", functions.size());

        // The handler asset must have travelled inside the jar's embedded jsii tarball.
        Path asset = null;
        if (functions.size() == 1) {
            String key = functions.get(0).at("/Properties/Code/S3Key").asText();
            asset = Path.of(assembly.getDirectory(), "asset." + key.replaceFirst("\\.zip$", ""), "index.js");
        }
        check(asset != null && Files.isRegularFile(asset), "the bundled handler is in the cloud assembly", asset);

        boolean granted = false;
        ObjectMapper mapper = new ObjectMapper();
        JsonNode roleRef = mapper.createArrayNode().add(mapper.createObjectNode().put("Ref", roleId));
        JsonNode secretRef = mapper.createObjectNode().put("Ref", secretId);
        for (JsonNode policy : ofType(resources, "AWS::IAM::Policy")) {
            if (!policy.at("/Properties/Roles").equals(roleRef)) {
                continue;
            }
            for (JsonNode statement : policy.at("/Properties/PolicyDocument/Statement")) {
                JsonNode action = statement.get("Action");
                boolean reads = action.isArray()
                        ? action.toString().contains("\"secretsmanager:GetSecretValue\"")
                        : action.asText().equals("secretsmanager:GetSecretValue");
                granted |= reads && statement.get("Resource").equals(secretRef);
            }
        }
        check(granted, "the ECS task role may secretsmanager:GetSecretValue on the token's secret", roleId);

        System.out.println("java: " + passed + " passed, " + failed + " failed");
        if (failed > 0) {
            System.exit(1);
        }
    }

    private static List<JsonNode> ofType(JsonNode resources, String type) {
        List<JsonNode> found = new ArrayList<>();
        resources.forEach(r -> {
            if (r.path("Type").asText().equals(type)) {
                found.add(r);
            }
        });
        return found;
    }
}
