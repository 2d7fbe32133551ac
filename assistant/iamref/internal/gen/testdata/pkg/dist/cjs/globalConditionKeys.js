"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.globalConditionKeys = void 0;
exports.globalConditionKeys = [
    {
        key: 'aws:SourceIp',
        category: 'network',
        type: 'IPAddress',
        description: 'the {caller\'s} address'
    },
    {
        key: "aws:RequestTag/tag-key",
        category: 'request',
        type: 'String',
        description: ''
    }
];
const byName = {};
