import { clientSettingsOf } from '../lib/client-settings';

const config = { domain: 'my-domain', domainOwner: '111122223333', domainRegion: 'eu-west-1', durationSeconds: 43200, access: 'read' as const };

test('GIVEN a repository name with a dot WHEN the clients are written THEN the Cargo registry name and its token variable are valid for Cargo', () => {
  // WHEN
  const { clients } = clientSettingsOf({ ...config, repositories: ['java.libs'] });
  // THEN
  expect(clients['java.libs'].cargo).toEqual({
    registry: 'codeartifact-java-libs',
    index: 'sparse+https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/cargo/java.libs/',
    tokenVariable: 'CARGO_REGISTRIES_CODEARTIFACT_JAVA_LIBS_TOKEN',
  });
  expect(clients['java.libs'].maven).toEqual({
    id: 'codeartifact-java-libs', url: 'https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/maven/java.libs/', username: 'aws',
  });
});

test('GIVEN a China region THEN the clients use the partition\'s endpoints', () => {
  const { clients } = clientSettingsOf({ ...config, domainRegion: 'cn-north-1', repositories: ['shared'] });
  expect(clients.shared.nuget.source).toBe('https://my-domain-111122223333.d.codeartifact.cn-north-1.amazonaws.com.cn/nuget/shared/v3/index.json');
});

test('GIVEN every repository (*) THEN no clients, as no endpoints', () => {
  expect(clientSettingsOf({ ...config, repositories: '*' })).toEqual({ clients: {} });
});
