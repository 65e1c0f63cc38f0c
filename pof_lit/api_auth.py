"""API tokens: obtain one with a username and password, revoke it with DELETE."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

TokenResponse = inline_serializer("TokenResponse", fields={"token": serializers.CharField()})


class TokenView(APIView):
    """Exchange a username and password for an API token, or revoke the token in use."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: TokenResponse, 400: OpenApiResponse(description="Wrong credentials.")},
        summary="Obtain an API token",
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None}, summary="Revoke my API token")
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
