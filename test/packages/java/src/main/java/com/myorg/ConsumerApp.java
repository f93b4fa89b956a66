package com.myorg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.cdkcodeartifacttoken.CodeArtifactAuthorizationToken;
import io.github.cdkcodeartifacttoken.PackageFormat;
import io.github.cdkcodeartifacttoken.RepositoryAccess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * A CDK app as Java users write one: an ECS task role that reads an 8-hour token, which resolves from
 * "shared" and deploys to "releases" with Maven. It synthesizes, then reads the template JSON from the
 * cloud assembly and checks what the construct must have put there.
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
                .repositories(List.of("shared", "releases"))
                .access(RepositoryAccess.READ_AND_PUBLISH)
                .tokenDuration(Duration.hours(8))
                // Secrets Manager's own schedule at its 4-hour minimum (without it, 8-hour tokens rotate through EventBridge Scheduler)
                .rotationInterval(Duration.hours(4))
                .build();
        String deployUrl = token.repositoryEndpoint("releases", PackageFormat.MAVEN);
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
        String issuerRoleId = stack.getLogicalId((CfnElement) token.getIssuerRole().getNode().getDefaultChild());
        ObjectMapper mapper = new ObjectMapper();
        JsonNode issuerRoleArn = mapper.valueToTree(Map.of("Fn::GetAtt", List.of(issuerRoleId, "Arn")));

        check(deployUrl.equals("https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/maven/releases/"),
                "repositoryEndpoint gives the Maven endpoint of releases", deployUrl);
        check(token.getRepositories().equals(List.of("shared", "releases"))
                && token.getAccess() == RepositoryAccess.READ_AND_PUBLISH,
                "the token keeps its repositories and access", token.getRepositories() + " " + token.getAccess());

        List<JsonNode> issuers = ofType(resources, "Custom::CodeArtifactAuthorizationToken");
        check(issuers.size() == 1 && issuers.get(0).at("/Properties/DurationSeconds").asText().equals("28800"),
                "the custom resource issues 8-hour tokens (DurationSeconds 28800)", issuers);
        check(issuers.size() == 1
                && issuers.get(0).at("/Properties/Repositories").asText().equals("shared releases")
                && issuers.get(0).at("/Properties/Access").asText().equals("read-and-publish"),
                "the custom resource issues for shared and releases, read-and-publish", issuers);

        List<JsonNode> roles = ofType(resources, "AWS::IAM::Role");
        check(roles.size() == 3, "three roles: the handler's, the issuer's and the ECS task role", roles.size());

        List<JsonNode> schedules = ofType(resources, "AWS::SecretsManager::RotationSchedule");
        check(schedules.size() == 1
                && schedules.get(0).at("/Properties/RotationRules/ScheduleExpression").asText().equals("rate(4 hours)")
                && token.getRotationInterval().toHours().intValue() == 4,
                "8-hour tokens rotate every 4 hours (rate(4 hours))", schedules);

        List<JsonNode> functions = ofType(resources, "AWS::Lambda::Function");
        check(functions.size() == 1, "exactly one Lambda function", functions.size());
        JsonNode environment = functions.isEmpty() ? null : functions.get(0).at("/Properties/Environment/Variables");
        check(environment != null && issuerRoleArn.equals(environment.get("ISSUER_ROLE_ARN")),
                "the handler is given the issuer role's ARN (ISSUER_ROLE_ARN)", environment);

        // The handler asset must have travelled inside the jar's embedded jsii tarball.
        Path asset = null;
        if (functions.size() == 1) {
            String key = functions.get(0).at("/Properties/Code/S3Key").asText();
            asset = Path.of(assembly.getDirectory(), "asset." + key.replaceFirst("\\.zip$", ""), "index.js");
        }
        check(asset != null && Files.isRegularFile(asset), "the bundled handler is in the cloud assembly", asset);

        JsonNode issuerRoleRef = mapper.createArrayNode().add(mapper.createObjectNode().put("Ref", issuerRoleId));
        JsonNode packageWildcard = mapper.valueToTree(Map.of("Fn::Join", List.of("", List.of(
                "arn:", Map.of("Ref", "AWS::Partition"), ":codeartifact:eu-west-1:111122223333:package/my-domain/releases/*"))));
        boolean publishes = false;
        // The issuer's rights fill its inline policy first, then managed policies.
        List<JsonNode> issuerPolicies = new ArrayList<>(ofType(resources, "AWS::IAM::Policy"));
        issuerPolicies.addAll(ofType(resources, "AWS::IAM::ManagedPolicy"));
        for (JsonNode policy : issuerPolicies) {
            if (!policy.at("/Properties/Roles").equals(issuerRoleRef)) {
                continue;
            }
            for (JsonNode statement : policy.at("/Properties/PolicyDocument/Statement")) {
                JsonNode resource = statement.get("Resource");
                publishes |= hasAction(statement, "codeartifact:PublishPackageVersion")
                        && (resource.equals(packageWildcard) || contains(resource, packageWildcard));
            }
        }
        check(publishes, "the issuer role may codeartifact:PublishPackageVersion on package/my-domain/releases/*", issuerRoleId);

        // What the domain owner's repository policy would hold, were the domain in another account.
        JsonNode resolvedStatement = mapper.valueToTree(stack.resolve(token.repositoryPolicyStatement().toStatementJson()));
        check(resolvedStatement.at("/Principal/AWS").equals(issuerRoleArn)
                && hasAction(resolvedStatement, "codeartifact:PublishPackageVersion"),
                "repositoryPolicyStatement lets the issuer role publish", resolvedStatement);

        boolean granted = false;
        JsonNode roleRef = mapper.createArrayNode().add(mapper.createObjectNode().put("Ref", roleId));
        JsonNode secretRef = mapper.createObjectNode().put("Ref", secretId);
        for (JsonNode policy : ofType(resources, "AWS::IAM::Policy")) {
            if (!policy.at("/Properties/Roles").equals(roleRef)) {
                continue;
            }
            for (JsonNode statement : policy.at("/Properties/PolicyDocument/Statement")) {
                granted |= hasAction(statement, "secretsmanager:GetSecretValue") && statement.get("Resource").equals(secretRef);
            }
        }
        check(granted, "the ECS task role may secretsmanager:GetSecretValue on the token's secret", roleId);

        System.out.println("java: " + passed + " passed, " + failed + " failed");
        if (failed > 0) {
            System.exit(1);
        }
    }

    private static boolean contains(JsonNode array, JsonNode element) {
        if (array.isArray()) {
            for (JsonNode e : array) {
                if (e.equals(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasAction(JsonNode statement, String action) {
        JsonNode actions = statement.get("Action");
        return actions.isArray() ? contains(actions, TextNode.valueOf(action)) : actions.asText().equals(action);
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
