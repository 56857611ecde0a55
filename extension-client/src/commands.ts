// Command ids, as contributed in package.json.
export const Commands = {
  showSystemInfo: 'editorAssist.showSystemInfo',
  showLogs: 'editorAssist.showLogs',
  restartSidecar: 'editorAssist.restartSidecar',
  newChat: 'editorAssist.newChat',
  chatHistory: 'editorAssist.chatHistory',
  loadModelFile: 'editorAssist.loadModelFile',
  selectModel: 'editorAssist.selectModel',
  downloadModel: 'editorAssist.downloadModel',
  manageModels: 'editorAssist.manageModels',
  setApiKey: 'editorAssist.setApiKey',
  removeApiKey: 'editorAssist.removeApiKey',
  toggleLocalOnly: 'editorAssist.toggleLocalOnly',
  chooseRouting: 'editorAssist.chooseRouting',
  showPerformance: 'editorAssist.showPerformance',
  showMcpServers: 'editorAssist.showMcpServers',
} as const;
